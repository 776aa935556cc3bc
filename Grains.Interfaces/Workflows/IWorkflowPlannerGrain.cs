namespace OrleansAgents.Workflows;

/// <summary>
/// Turns a goal in words into a stored workflow: a hosted planner agent reads the catalogue,
/// drafts a definition and repairs it against the validation in bounded rounds (stateless; key 0).
/// </summary>
[Alias("OrleansAgents.IWorkflowPlannerGrain")]
public interface IWorkflowPlannerGrain : IGrainWithIntegerKey
{
    /// <summary>Several model calls: longer than the default response timeout.</summary>
    public const string GenerateTimeout = "00:10:00";

    /// <summary>A valid final draft is stored as <c>created</c> (owner = caller) and returned; an invalid one is returned with its findings, not stored.</summary>
    [Alias("Generate"), ResponseTimeout(GenerateTimeout)]
    Task<WorkflowGeneration> GenerateAsync(WorkflowGenerateRequest request);
}

/// <param name="AgentId">The planner; null for the default one (Workflows:Planner).</param>
/// <param name="MaxRounds">Drafts the planner may have validated; null for Workflows:Planner:MaxRounds.</param>
/// <param name="Caller">Who asked: the stored workflow's owner and the one whose AI-token quota pays.</param>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowGenerateRequest")]
public sealed record class WorkflowGenerateRequest(
    [property: Id(0)] string Goal,
    [property: Id(1)] string? AgentId,
    [property: Id(2)] int? MaxRounds,
    [property: Id(3)] string Caller);

/// <summary>Where a generated workflow came from.</summary>
/// <param name="PromptHash">sha256 of the planner's instructions and prompt, so two generations can be compared without storing the prompt twice.</param>
/// <param name="Rounds">Drafts validated (the last one is the result).</param>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowProvenance")]
public sealed record class WorkflowProvenance(
    [property: Id(0)] string GeneratedBy,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string Provider,
    [property: Id(3)] string Model,
    [property: Id(4)] string PromptHash,
    [property: Id(5)] int Rounds,
    [property: Id(6)] DateTimeOffset GeneratedAt);

/// <summary>The outcome: the stored workflow, or (when the final draft is invalid) the draft and its findings.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowGeneration")]
public sealed record class WorkflowGeneration(
    [property: Id(0)] WorkflowView? Workflow,
    [property: Id(1)] string? DraftJson,
    [property: Id(2)] IReadOnlyList<WorkflowValidationIssue> Findings,
    [property: Id(3)] WorkflowProvenance Provenance);
