using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Grains.Workflows.Planner;

/// <summary>
/// The planner's functions for one generation: the catalogue (skills with their published input
/// schemas; capabilities with the live agents offering them) and the workflow validation as a
/// tool. Each <c>validate_workflow</c> call is a round; beyond the bound the tool answers that no
/// round is left instead of validating, and the last validated draft is the result.
/// </summary>
public sealed class PlannerTools(
    SkillRegistry skills,
    IWorkflowEnvironment environment,
    IGrainFactory grains,
    TaskScheduler scheduler,
    int maxRounds,
    int catalogueAgents)
{
    public const string ValidateTool = "validate_workflow";

    public int Rounds { get; private set; }

    /// <summary>The last draft the planner had validated (compact JSON), null before the first.</summary>
    public string? LastDraft { get; private set; }

    public IList<AITool> Create() =>
    [
        AIFunctionFactory.Create(ListSkills, "list_skills",
            "Lists the skills a workflow step may use: name, description, the capabilities allowed to run it (\"*\": any) and its input JSON schema."),
        AIFunctionFactory.Create(ListCapabilitiesAsync, "list_capabilities",
            "Lists the capabilities live agents offer, each with the ids of those agents; a step routes by capability or names an agent."),
        AIFunctionFactory.Create(ValidateAsync, ValidateTool,
            "Validates a workflow definition draft against its format and the live cluster. Answers {valid, findings: [{path, code, message}], roundsLeft}. Fix every finding and validate again until valid."),
    ];

    /// <summary>The whole check a stored workflow gets: the draft's shape, the structure, then the cluster.</summary>
    public static async Task<(WorkflowDefinition? Definition, IReadOnlyList<WorkflowValidationIssue> Findings)> CheckAsync(
        string draftJson, IWorkflowEnvironment environment)
    {
        var findings = new List<WorkflowValidationIssue>();
        var definition = WorkflowDraft.TryRead(draftJson, findings);
        if (definition is null)
        {
            return (null, findings);
        }

        var issues = WorkflowValidation.Finish([.. WorkflowValidation.CheckStructure(definition), .. await WorkflowValidation.CheckEnvironmentAsync(definition, environment)]);
        return (issues.Count == 0 ? definition : null, issues);
    }

    private JsonArray ListSkills() =>
        [.. skills.Describe().Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["description"] = s.Description,
            ["capabilities"] = new JsonArray([.. s.Capabilities.Select(c => (JsonNode?)JsonValue.Create(c))]),
            ["inputSchema"] = JsonNode.Parse(s.InputSchemaJson),
        })];

    private Task<JsonObject> ListCapabilitiesAsync() => OnGrainAsync(async () =>
    {
        var page = await grains.GetGrain<IAgentCatalogGrain>(0).ListAsync(new AgentQuery(null, null, catalogueAgents, null));
        var live = page.Items.Where(a => a.Status is not (AgentStatus.Retired or AgentStatus.Unhealthy)).ToList();
        var byCapability = new JsonObject();
        foreach (var group in live.SelectMany(a => a.Capabilities.Select(c => (Capability: c, a.Id))).GroupBy(x => x.Capability).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            byCapability[group.Key] = new JsonArray([.. group.Select(x => (JsonNode?)JsonValue.Create(x.Id))]);
        }

        return new JsonObject { ["capabilities"] = byCapability, ["agentsListed"] = live.Count, ["more"] = page.NextCursor is not null };
    });

    private Task<JsonObject> ValidateAsync([Description("The workflow definition: a JSON object with name, goal, inputSchema, steps and output.")] JsonElement definition) =>
        OnGrainAsync(async () =>
        {
            if (Rounds >= maxRounds)
            {
                return new JsonObject
                {
                    ["error"] = "workflow.generate_rounds_exhausted",
                    ["message"] = $"All {maxRounds} validation rounds are used; stop and answer. The last validated draft is the result.",
                    ["roundsLeft"] = 0,
                };
            }

            // Some models send the object as a JSON string.
            var draft = definition.ValueKind == JsonValueKind.String ? definition.GetString() ?? "" : definition.GetRawText();
            Rounds++;
            LastDraft = draft;
            var (_, findings) = await CheckAsync(draft, environment);
            return new JsonObject
            {
                ["valid"] = findings.Count == 0,
                ["findings"] = new JsonArray([.. findings.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["code"] = f.Code, ["message"] = f.Message })]),
                ["roundsLeft"] = maxRounds - Rounds,
            };
        });

    /// <summary>The framework calls tools on pool threads; grain calls and this object's counters stay on the activation's scheduler.</summary>
    private Task<T> OnGrainAsync<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, scheduler).Unwrap();
}
