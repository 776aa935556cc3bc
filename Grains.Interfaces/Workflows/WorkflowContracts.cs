namespace OrleansAgents.Workflows;

/// <summary>A workflow definition's place in its promotion lifecycle (see <see cref="WorkflowRules.CanTransition"/>).</summary>
[GenerateSerializer, Alias("OrleansAgents.WorkflowStatus")]
public enum WorkflowStatus
{
    Created = 0,
    Validated = 1,
    Staged = 2,
    Active = 3,
    Archived = 4,
    Failed = 5,
}

/// <summary>What a run is for; each mode needs the workflow to have reached a lifecycle stage.</summary>
[GenerateSerializer, Alias("OrleansAgents.WorkflowRunMode")]
public enum WorkflowRunMode
{
    Test = 0,
    Staging = 1,
    Production = 2,
}

[GenerateSerializer, Alias("OrleansAgents.WorkflowRunStatus")]
public enum WorkflowRunStatus
{
    Running = 0,

    /// <summary>At least one step waits for an approval and nothing else can progress.</summary>
    Waiting = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,
}

[GenerateSerializer, Alias("OrleansAgents.WorkflowStepStatus")]
public enum WorkflowStepStatus
{
    Pending = 0,

    /// <summary>Its task was submitted and has not finished.</summary>
    Running = 1,

    /// <summary>Its approval gate waits for <c>approve</c> or <c>reject</c>.</summary>
    Waiting = 2,
    Succeeded = 3,
    Failed = 4,

    /// <summary>Its condition was false (a rejected approval fails the step instead).</summary>
    Skipped = 5,
    Cancelled = 6,
}

/// <summary>One step of a workflow definition.</summary>
/// <param name="Id">Unique within the workflow (<see cref="WorkflowRules.StepIdPattern"/>).</param>
/// <param name="Capability">Route the step's task to an agent with this capability (or <paramref name="AgentId"/>).</param>
/// <param name="AgentId">Send the step's task to this agent (or <paramref name="Capability"/>).</param>
/// <param name="Skill">The skill the task runs.</param>
/// <param name="InputTemplateJson">JSON template of the task input; strings may hold <c>{{ input.x }}</c> or <c>{{ steps.id.output.path }}</c>.</param>
/// <param name="DependsOn">Steps that must be finished (succeeded or skipped) before this one starts.</param>
/// <param name="Condition">Optional expression over the input and earlier outputs; false skips the step.</param>
/// <param name="MaxAttempts">Attempts of the step's task (its retry policy); null = the task default.</param>
/// <param name="TimeoutSeconds">Soft timeout of each attempt; null = the task default.</param>
/// <param name="RequiresApproval">The run waits for approve/reject before the step's task is submitted.</param>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowStep")]
public sealed record class WorkflowStep(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Capability,
    [property: Id(2)] string? AgentId,
    [property: Id(3)] string Skill,
    [property: Id(4)] string InputTemplateJson,
    [property: Id(5)] IReadOnlyList<string> DependsOn,
    [property: Id(6)] string? Condition,
    [property: Id(7)] int? MaxAttempts,
    [property: Id(8)] int? TimeoutSeconds,
    [property: Id(9)] bool RequiresApproval);

/// <summary>What a user writes: the workflow's content. Every edit becomes a new version.</summary>
/// <param name="InputSchemaJson">JSON Schema subset the run input must satisfy (types, properties, required, items, enum).</param>
/// <param name="OutputTemplateJson">Optional template over step outputs giving the run's output; null = every step's output by id.</param>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowDefinition")]
public sealed record class WorkflowDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Goal,
    [property: Id(2)] string InputSchemaJson,
    [property: Id(3)] IReadOnlyList<WorkflowStep> Steps,
    [property: Id(4)] string? OutputTemplateJson);

/// <summary>One validation finding: where (e.g. <c>steps[2].input.query</c>), a stable code, and a message for people.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowValidationIssue")]
public sealed record class WorkflowValidationIssue(
    [property: Id(0)] string Path,
    [property: Id(1)] string Code,
    [property: Id(2)] string Message);

/// <summary>A change to a workflow: who did what, when, and the status it left.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowChange")]
public sealed record class WorkflowChange(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string By,
    [property: Id(2)] string Action,
    [property: Id(3)] WorkflowStatus From,
    [property: Id(4)] WorkflowStatus To,
    [property: Id(5)] int Version);

/// <summary>A workflow as readers see it (one version of its definition).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowView")]
public sealed record class WorkflowView(
    [property: Id(0)] string Id,
    [property: Id(1)] int Version,
    [property: Id(2)] int LatestVersion,
    [property: Id(3)] WorkflowStatus Status,
    [property: Id(4)] WorkflowDefinition Definition,
    [property: Id(5)] IReadOnlyList<WorkflowValidationIssue> Issues,
    [property: Id(6)] DateTimeOffset? ValidatedAt,
    [property: Id(7)] string CreatedBy,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] string UpdatedBy,
    [property: Id(10)] DateTimeOffset UpdatedAt,
    [property: Id(11)] IReadOnlyList<WorkflowChange> History,
    [property: Id(12)] WorkflowProvenance? Provenance = null);

/// <summary>A workflow in a search result.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowSummary")]
public sealed record class WorkflowSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Goal,
    [property: Id(3)] WorkflowStatus Status,
    [property: Id(4)] int Version,
    [property: Id(5)] string CreatedBy,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] double? Rank);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowPage")]
public sealed record class WorkflowPage(
    [property: Id(0)] IReadOnlyList<WorkflowSummary> Items,
    [property: Id(1)] string? NextCursor);

/// <summary>
/// A search over the read model. <see cref="Query"/> is PostgreSQL full-text search over name and
/// goal, results ranked (best first); without it, newest updated first.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowSearch")]
public sealed record class WorkflowSearch(
    [property: Id(0)] WorkflowStatus? Status,
    [property: Id(1)] string? CreatedBy,
    [property: Id(2)] string? Query,
    [property: Id(3)] int Limit,
    [property: Id(4)] string? Cursor);

/// <summary>A run in a listing.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunSummary")]
public sealed record class WorkflowRunSummary(
    [property: Id(0)] string RunId,
    [property: Id(1)] string WorkflowId,
    [property: Id(2)] int WorkflowVersion,
    [property: Id(3)] WorkflowRunMode Mode,
    [property: Id(4)] WorkflowRunStatus Status,
    [property: Id(5)] string StartedBy,
    [property: Id(6)] DateTimeOffset StartedAt,
    [property: Id(7)] DateTimeOffset? FinishedAt,
    [property: Id(8)] string? ErrorCode);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunPage")]
public sealed record class WorkflowRunPage(
    [property: Id(0)] IReadOnlyList<WorkflowRunSummary> Items,
    [property: Id(1)] string? NextCursor);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowFailureCount")]
public sealed record class WorkflowFailureCount(
    [property: Id(0)] string WorkflowId,
    [property: Id(1)] string Name,
    [property: Id(2)] long FailedRuns,
    [property: Id(3)] long Runs);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunCount")]
public sealed record class WorkflowRunCount(
    [property: Id(0)] WorkflowRunMode Mode,
    [property: Id(1)] WorkflowRunStatus Status,
    [property: Id(2)] long Count);

/// <summary>
/// <c>GET /api/workflows/statistics</c>: workflows by status, runs by mode and status, success rate
/// (succeeded / finished runs, null when none finished), p50/p95 duration of finished runs in
/// seconds, and the workflows with the most failed runs.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowStatistics")]
public sealed record class WorkflowStatistics(
    [property: Id(0)] IReadOnlyDictionary<WorkflowStatus, long> WorkflowsByStatus,
    [property: Id(1)] IReadOnlyList<WorkflowRunCount> Runs,
    [property: Id(2)] double? SuccessRate,
    [property: Id(3)] double? RunDurationP50Seconds,
    [property: Id(4)] double? RunDurationP95Seconds,
    [property: Id(5)] IReadOnlyList<WorkflowFailureCount> MostFailures);

/// <summary>What starts a run; the workflow grain adds the pinned definition.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunRequest")]
public sealed record class WorkflowRunRequest(
    [property: Id(0)] WorkflowRunMode Mode,
    [property: Id(1)] string InputJson,
    [property: Id(2)] string StartedBy,
    [property: Id(3)] string? IdempotencyKey);

/// <summary>Everything a run needs, pinned at its start: it never reads the workflow grain again.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunStart")]
public sealed record class WorkflowRunStart(
    [property: Id(0)] string WorkflowId,
    [property: Id(1)] int WorkflowVersion,
    [property: Id(2)] WorkflowDefinition Definition,
    [property: Id(3)] WorkflowRunMode Mode,
    [property: Id(4)] string InputJson,
    [property: Id(5)] string StartedBy);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowStepError")]
public sealed record class WorkflowStepError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message);

/// <summary>A step of a run: its state, task, attempts, timings and output.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowStepView")]
public sealed record class WorkflowStepView(
    [property: Id(0)] string Id,
    [property: Id(1)] WorkflowStepStatus Status,
    [property: Id(2)] string? TaskId,
    [property: Id(3)] string? AgentId,
    [property: Id(4)] int Attempts,
    [property: Id(5)] DateTimeOffset? StartedAt,
    [property: Id(6)] DateTimeOffset? FinishedAt,
    [property: Id(7)] string? OutputJson,
    [property: Id(8)] WorkflowStepError? Error,
    [property: Id(9)] string? DecidedBy,
    [property: Id(10)] string? Comment);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunView")]
public sealed record class WorkflowRunView(
    [property: Id(0)] string RunId,
    [property: Id(1)] string WorkflowId,
    [property: Id(2)] int WorkflowVersion,
    [property: Id(3)] WorkflowRunMode Mode,
    [property: Id(4)] WorkflowRunStatus Status,
    [property: Id(5)] string InputJson,
    [property: Id(6)] string? OutputJson,
    [property: Id(7)] WorkflowStepError? Error,
    [property: Id(8)] IReadOnlyList<WorkflowStepView> Steps,
    [property: Id(9)] string StartedBy,
    [property: Id(10)] DateTimeOffset StartedAt,
    [property: Id(11)] DateTimeOffset? FinishedAt,
    [property: Id(12)] long Version);

[GenerateSerializer, Alias("OrleansAgents.WorkflowRunEventType")]
public enum WorkflowRunEventType
{
    Run = 0,
    Step = 1,
}

/// <summary>One entry of a run's progress log; sequence numbers start at 1 and have no gaps.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunEvent")]
public sealed record class WorkflowRunEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] WorkflowRunEventType Type,
    [property: Id(3)] WorkflowRunStatus RunStatus,
    [property: Id(4)] WorkflowStepView? Step);

[GenerateSerializer, Immutable, Alias("OrleansAgents.WorkflowRunEventBatch")]
public sealed record class WorkflowRunEventBatch(
    [property: Id(0)] IReadOnlyList<WorkflowRunEvent> Events,
    [property: Id(1)] bool Finished,
    [property: Id(2)] long FirstAvailable);
