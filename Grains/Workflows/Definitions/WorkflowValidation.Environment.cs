using OrleansAgents.Agents;
using OrleansAgents.Errors;
using OrleansAgents.Tasks;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

public static partial class WorkflowValidation
{
    /// <summary>
    /// Checks what the steps name against the live cluster: the skill exists, the capability has an
    /// agent or the agent is registered, and the skill may run there. Fields that fail
    /// <see cref="CheckStructure"/> are skipped. Each capability and agent is asked once.
    /// </summary>
    public static async Task<IReadOnlyList<WorkflowValidationIssue>> CheckEnvironmentAsync(WorkflowDefinition definition, IWorkflowEnvironment environment)
    {
        var issues = new List<WorkflowValidationIssue>();
        var capabilities = new Dictionary<string, bool>(StringComparer.Ordinal);
        var agents = new Dictionary<string, IReadOnlyList<string>?>(StringComparer.Ordinal);
        var steps = definition.Steps ?? [];
        for (var i = 0; i < steps.Count && i < WorkflowRules.MaxSteps; i++)
        {
            var step = steps[i];
            if (step is null)
            {
                continue;
            }

            IReadOnlyCollection<string>? allowed = null;
            var at = $"steps[{i}]";
            if (TaskRules.IsValidSkillName(step.Skill) && !environment.TryGetSkill(step.Skill, out allowed))
            {
                issues.Add(new($"{at}.skill", ErrorCodes.WorkflowUnknownSkill, $"{at}.skill: no silo offers the skill '{step.Skill}'"));
                allowed = null;
            }

            if (step.Capability is { } capability && step.AgentId is null && AgentRules.IsValidCapability(capability))
            {
                if (!capabilities.TryGetValue(capability, out var exists))
                {
                    capabilities[capability] = exists = await environment.CapabilityExistsAsync(capability);
                }

                if (!exists)
                {
                    issues.Add(new($"{at}.capability", ErrorCodes.WorkflowUnknownCapability, $"{at}.capability: no registered agent offers '{capability}'"));
                }

                if (allowed is not null && !Allows(allowed, [capability]))
                {
                    issues.Add(new($"{at}.skill", ErrorCodes.WorkflowSkillNotAllowed,
                        $"{at}.skill: '{step.Skill}' may not run on capability '{capability}' (allowed: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})"));
                }
            }
            else if (step.AgentId is { } agentId && step.Capability is null && AgentRules.IsValidId(agentId))
            {
                if (!agents.TryGetValue(agentId, out var agentCapabilities))
                {
                    agents[agentId] = agentCapabilities = await environment.AgentCapabilitiesAsync(agentId);
                }

                if (agentCapabilities is null)
                {
                    issues.Add(new($"{at}.agentId", ErrorCodes.WorkflowUnknownAgent, $"{at}.agentId: there is no registered agent '{agentId}'"));
                }
                else if (allowed is not null && !Allows(allowed, agentCapabilities))
                {
                    issues.Add(new($"{at}.skill", ErrorCodes.WorkflowSkillNotAllowed,
                        $"{at}.skill: '{step.Skill}' needs one of the capabilities {string.Join(", ", allowed.Order(StringComparer.Ordinal))}, which agent '{agentId}' does not have"));
                }
            }
        }

        return Finish(issues);
    }

    private static bool Allows(IReadOnlyCollection<string> allowed, IReadOnlyCollection<string> capabilities) =>
        allowed.Contains("*") || capabilities.Any(allowed.Contains);
}
