using System.Text;
using OrleansAgents.Agents;
using OrleansAgents.Errors;
using OrleansAgents.Tasks;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>
/// Checks a workflow definition: its structure alone (<see cref="CheckStructure"/>, pure) and what it
/// names in the live cluster (<see cref="CheckEnvironmentAsync"/>). Issues come sorted by path, then
/// code, without duplicates; paths use the API's JSON names (<c>steps[2].dependsOn[0]</c>).
/// </summary>
public static partial class WorkflowValidation
{
    /// <summary>Most findings returned (the first ones in sorted order), so a hostile definition gives a bounded answer and state.</summary>
    public const int MaxIssues = 100;

    public static IReadOnlyList<WorkflowValidationIssue> CheckStructure(WorkflowDefinition definition)
    {
        var issues = new List<WorkflowValidationIssue>();
        CheckHeader(definition, issues);
        issues.AddRange(WorkflowInputSchema.CheckSchema(definition.InputSchemaJson));
        var steps = definition.Steps ?? [];
        if (steps.Count == 0)
        {
            issues.Add(new("steps", ErrorCodes.WorkflowNoSteps, "steps: a workflow needs at least one step"));
        }
        else if (steps.Count > WorkflowRules.MaxSteps)
        {
            // Graph checks are quadratic; a definition this big is refused before them.
            issues.Add(new("steps", ErrorCodes.WorkflowTooManySteps, $"steps: at most {WorkflowRules.MaxSteps} steps are allowed (found {steps.Count})"));
            return Finish(issues);
        }

        var index = IndexSteps(steps, issues);
        var allIds = index.Keys.ToHashSet(StringComparer.Ordinal);
        var edges = new List<int>[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            edges[i] = CheckStep(steps[i], i, index, issues);
        }

        issues.AddRange(FindCycles(steps, edges));
        for (var i = 0; i < steps.Count; i++)
        {
            var visible = Ancestors(i, edges).Select(a => steps[a].Id).ToHashSet(StringComparer.Ordinal);
            CheckReferences(steps[i], i, visible, allIds, issues);
        }

        if (definition.OutputTemplateJson is not null)
        {
            issues.AddRange(WorkflowTemplates.Check(definition.OutputTemplateJson, "output", allIds, allIds));
        }

        return Finish(issues);
    }

    /// <summary>Sorted by path, then code, then message (ordinal), duplicates removed, at most <see cref="MaxIssues"/>.</summary>
    internal static IReadOnlyList<WorkflowValidationIssue> Finish(IEnumerable<WorkflowValidationIssue> issues) =>
        [.. issues.Distinct()
            .OrderBy(i => i.Path, StringComparer.Ordinal)
            .ThenBy(i => i.Code, StringComparer.Ordinal)
            .ThenBy(i => i.Message, StringComparer.Ordinal)
            .Take(MaxIssues)];

    private static void CheckHeader(WorkflowDefinition definition, List<WorkflowValidationIssue> issues)
    {
        if (string.IsNullOrWhiteSpace(definition.Name))
        {
            issues.Add(new("name", ErrorCodes.WorkflowInvalidName, "name is required"));
        }
        else if (definition.Name.Length > WorkflowRules.NameMaxLength)
        {
            issues.Add(new("name", ErrorCodes.WorkflowInvalidName, $"name must be at most {WorkflowRules.NameMaxLength} characters long"));
        }

        if (definition.Goal?.Length > WorkflowRules.GoalMaxLength)
        {
            issues.Add(new("goal", ErrorCodes.WorkflowInvalidGoal, $"goal must be at most {WorkflowRules.GoalMaxLength} characters long"));
        }

        var size = SizeInBytes(definition);
        if (size > WorkflowRules.MaxDefinitionBytes)
        {
            issues.Add(new("", ErrorCodes.WorkflowDefinitionTooLarge,
                $"the definition is {size} bytes; at most {WorkflowRules.MaxDefinitionBytes} bytes (UTF-8, all texts, templates and the schema together) are allowed"));
        }
    }

    /// <summary>UTF-8 bytes of every text of the definition.</summary>
    internal static long SizeInBytes(WorkflowDefinition definition)
    {
        static long Bytes(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s);
        var size = Bytes(definition.Name) + Bytes(definition.Goal) + Bytes(definition.InputSchemaJson) + Bytes(definition.OutputTemplateJson);
        foreach (var step in definition.Steps ?? [])
        {
            size += step is null ? 0 : Bytes(step.Id) + Bytes(step.Capability) + Bytes(step.AgentId) + Bytes(step.Skill)
                + Bytes(step.InputTemplateJson) + Bytes(step.Condition) + (step.DependsOn ?? []).Sum(Bytes);
        }

        return size;
    }

    /// <summary>Step id → index of its first occurrence, reporting invalid and duplicate ids.</summary>
    private static Dictionary<string, int> IndexSteps(IReadOnlyList<WorkflowStep> steps, List<WorkflowValidationIssue> issues)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            var id = steps[i]?.Id;
            if (!WorkflowRules.IsValidStepId(id))
            {
                issues.Add(new($"steps[{i}].id", ErrorCodes.WorkflowInvalidStepId,
                    $"steps[{i}].id must match {WorkflowRules.StepIdPattern} (lowercase letter first, then up to 63 lowercase letters, digits, '_' or '-')"));
            }
            else if (!index.TryAdd(id, i))
            {
                issues.Add(new($"steps[{i}].id", ErrorCodes.WorkflowDuplicateStep, $"steps[{i}].id '{id}' is already the id of steps[{index[id]}]"));
            }
        }

        return index;
    }

    /// <summary>Checks one step's own fields and dependencies; returns the indexes of the steps it validly depends on.</summary>
    private static List<int> CheckStep(WorkflowStep step, int i, Dictionary<string, int> index, List<WorkflowValidationIssue> issues)
    {
        var at = $"steps[{i}]";
        var edges = new List<int>();
        if (step is null)
        {
            issues.Add(new(at, ErrorCodes.WorkflowInvalidStepId, $"{at} must be a step object"));
            return edges;
        }

        CheckTarget(step, at, issues);
        if (!TaskRules.IsValidSkillName(step.Skill))
        {
            issues.Add(new($"{at}.skill", ErrorCodes.WorkflowInvalidSkill, $"{at}.skill must match {TaskRules.SkillPattern}"));
        }

        if (step.MaxAttempts is < 1 or > TaskRules.MaxAttemptsLimit)
        {
            issues.Add(new($"{at}.maxAttempts", ErrorCodes.WorkflowInvalidMaxAttempts, $"{at}.maxAttempts must be between 1 and {TaskRules.MaxAttemptsLimit}"));
        }

        if (step.TimeoutSeconds is < 1 or > WorkflowRules.MaxTimeoutSeconds)
        {
            issues.Add(new($"{at}.timeoutSeconds", ErrorCodes.WorkflowInvalidTimeout, $"{at}.timeoutSeconds must be between 1 and {WorkflowRules.MaxTimeoutSeconds}"));
        }

        var dependsOn = step.DependsOn ?? [];
        if (dependsOn.Count > WorkflowRules.MaxDependencies)
        {
            issues.Add(new($"{at}.dependsOn", ErrorCodes.WorkflowInvalidDependency, $"{at}.dependsOn may list at most {WorkflowRules.MaxDependencies} steps"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < dependsOn.Count; j++)
        {
            var dependency = dependsOn[j];
            var where = $"{at}.dependsOn[{j}]";
            if (dependency is not null && dependency == step.Id)
            {
                issues.Add(new(where, ErrorCodes.WorkflowInvalidDependency, $"{where}: a step cannot depend on itself"));
            }
            else if (dependency is not null && !seen.Add(dependency))
            {
                issues.Add(new(where, ErrorCodes.WorkflowInvalidDependency, $"{where}: '{dependency}' is listed twice"));
            }
            else if (dependency is null || !index.TryGetValue(dependency, out var target))
            {
                issues.Add(new(where, ErrorCodes.WorkflowUnknownDependency, $"{where}: there is no step '{dependency}'"));
            }
            else
            {
                edges.Add(target);
            }
        }

        return edges;
    }

    private static void CheckTarget(WorkflowStep step, string at, List<WorkflowValidationIssue> issues)
    {
        if ((step.Capability is null) == (step.AgentId is null))
        {
            issues.Add(new(at, ErrorCodes.WorkflowStepTarget, $"{at} needs exactly one of capability and agentId"));
        }
        else if (step.Capability is not null && !AgentRules.IsValidCapability(step.Capability))
        {
            issues.Add(new($"{at}.capability", ErrorCodes.WorkflowStepTarget, $"{at}.capability must match {AgentRules.CapabilityPattern}"));
        }
        else if (step.AgentId is not null && !AgentRules.IsValidId(step.AgentId))
        {
            issues.Add(new($"{at}.agentId", ErrorCodes.WorkflowStepTarget, $"{at}.agentId must match {AgentRules.IdPattern}"));
        }
    }

    private static void CheckReferences(WorkflowStep step, int i, HashSet<string> visible, HashSet<string> allIds, List<WorkflowValidationIssue> issues)
    {
        if (step is null)
        {
            return;
        }

        issues.AddRange(WorkflowTemplates.Check(step.InputTemplateJson, $"steps[{i}].input", visible, allIds));
        if (step.Condition is null)
        {
            return;
        }

        var at = $"steps[{i}].condition";
        if (!WorkflowCondition.TryParse(step.Condition, out var condition, out var error))
        {
            issues.Add(new(at, ErrorCodes.WorkflowConditionInvalid, $"{at}: {error}"));
            return;
        }

        foreach (var id in condition.ReferencedSteps.Where(id => !visible.Contains(id)).Order(StringComparer.Ordinal))
        {
            issues.Add(new(at, ErrorCodes.WorkflowUnknownReference, allIds.Contains(id)
                ? $"{at} refers to step '{id}', which this step does not depend on (directly or through other steps)"
                : $"{at} refers to step '{id}', which does not exist"));
        }
    }
}
