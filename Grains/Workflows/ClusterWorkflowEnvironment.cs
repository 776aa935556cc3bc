using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Grains.Workflows;

/// <summary>Answers validation's questions from the silo's skills and the agent directory.</summary>
public sealed class ClusterWorkflowEnvironment(SkillRegistry skills, IGrainFactory grains) : IWorkflowEnvironment
{
    public bool TryGetSkill(string skill, out IReadOnlyCollection<string> allowedCapabilities)
    {
        var info = skills.Describe().FirstOrDefault(s => s.Name == skill);
        allowedCapabilities = info?.Capabilities ?? [];
        return info is not null;
    }

    public async ValueTask<bool> CapabilityExistsAsync(string capability)
    {
        if (!AgentRules.IsValidCapability(capability))
        {
            return false;
        }

        var page = await grains.GetGrain<ICapabilityIndexGrain>(capability).ListAsync(null, 1);
        return page.Ids.Count > 0;
    }

    public async ValueTask<IReadOnlyList<string>?> AgentCapabilitiesAsync(string agentId)
    {
        if (!AgentRules.IsValidId(agentId))
        {
            return null;
        }

        var agent = await grains.GetGrain<IAgentGrain>(agentId).GetAsync();
        return agent is null || agent.Status == AgentStatus.Retired ? null : agent.Capabilities;
    }
}
