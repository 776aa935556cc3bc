using System.Text.Json.Serialization;

namespace OrleansAgents.Tasks;

[GenerateSerializer, Alias("OrleansAgents.TaskPriority")]
public enum TaskPriority
{
    High = 0,
    Default = 1,
    Low = 2,
}

[GenerateSerializer, Alias("OrleansAgents.TaskState")]
public enum TaskState
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,

    [JsonStringEnumMemberName("dead-lettered")]
    DeadLettered = 5,
}

/// <summary>How one attempt ended.</summary>
[GenerateSerializer, Alias("OrleansAgents.AttemptOutcome")]
public enum AttemptOutcome
{
    Running = 0,
    Succeeded = 1,
    Failed = 2,

    /// <summary>The skill did not finish within the hard timeout and was abandoned.</summary>
    [JsonStringEnumMemberName("timed-out")]
    TimedOut = 3,

    /// <summary>The silo running the attempt stopped; the attempt never reported back.</summary>
    Lost = 4,

    Cancelled = 5,
}

/// <summary>What a caller asks for. Either <see cref="AgentId"/> or <see cref="Capability"/> names the target.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskSubmission")]
public sealed record class TaskSubmission(
    [property: Id(0)] string? AgentId,
    [property: Id(1)] string? Capability,
    [property: Id(2)] string Skill,
    [property: Id(3)] string InputJson,
    [property: Id(4)] TaskPriority Priority,
    [property: Id(5)] TimeSpan? Timeout,
    [property: Id(6)] TimeSpan? HardTimeout,
    [property: Id(7)] int? MaxAttempts,
    [property: Id(8)] string? IdempotencyKey,
    [property: Id(9)] string SubmittedBy)
{
    /// <summary>
    /// What started the task when it is part of something larger, e.g. <c>workflow-run:{runId}:{stepId}</c>
    /// (see <see cref="TaskRules.OriginPattern"/>); null for a client's direct submission.
    /// </summary>
    [Id(10)]
    public string? Origin { get; init; }
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskError")]
public sealed record class TaskError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message,
    [property: Id(2)] bool Transient);

[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskAttempt")]
public sealed record class TaskAttempt(
    [property: Id(0)] int Number,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset? FinishedAt,
    [property: Id(3)] AttemptOutcome Outcome,
    [property: Id(4)] TaskError? Error,
    [property: Id(5)] string Silo);

/// <summary>A task as readers see it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskView")]
public sealed record class TaskView(
    [property: Id(0)] string Id,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string? Capability,
    [property: Id(3)] string Skill,
    [property: Id(4)] string InputJson,
    [property: Id(5)] TaskPriority Priority,
    [property: Id(6)] TaskState State,
    [property: Id(7)] TimeSpan Timeout,
    [property: Id(8)] TimeSpan HardTimeout,
    [property: Id(9)] int MaxAttempts,
    [property: Id(10)] IReadOnlyList<TaskAttempt> Attempts,
    [property: Id(11)] string? ResultJson,
    [property: Id(12)] TaskError? Error,
    [property: Id(13)] string? IdempotencyKey,
    [property: Id(14)] string SubmittedBy,
    [property: Id(15)] DateTimeOffset CreatedAt,
    [property: Id(16)] DateTimeOffset UpdatedAt,
    [property: Id(17)] DateTimeOffset? FinishedAt,
    [property: Id(18)] long Version);

/// <summary>The answer to a submission; <see cref="Existing"/> when an idempotent repeat returned the first task.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskAccepted")]
public sealed record class TaskAccepted(
    [property: Id(0)] TaskView Task,
    [property: Id(1)] bool Existing);

[GenerateSerializer, Alias("OrleansAgents.TaskEventType")]
public enum TaskEventType
{
    State = 0,
    Attempt = 1,
    Result = 2,

    /// <summary>An external worker's progress report; the event's result holds <c>{"message", "percent"}</c>.</summary>
    Progress = 3,
}

/// <summary>One entry of a task's progress log; sequence numbers start at 1 and have no gaps.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskEvent")]
public sealed record class TaskEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] TaskEventType Type,
    [property: Id(3)] TaskState State,
    [property: Id(4)] TaskAttempt? Attempt,
    [property: Id(5)] string? ResultJson,
    [property: Id(6)] TaskError? Error);

[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskEventBatch")]
public sealed record class TaskEventBatch(
    [property: Id(0)] IReadOnlyList<TaskEvent> Events,
    [property: Id(1)] bool Finished,
    [property: Id(2)] long FirstAvailable);

/// <summary>An entry of an agent's task log or of the dead-letter list.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskSummary")]
public sealed record class TaskSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string Skill,
    [property: Id(3)] TaskPriority Priority,
    [property: Id(4)] TaskState State,
    [property: Id(5)] int Attempts,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] TaskError? Error,
    [property: Id(9)] long Version)
{
    /// <summary>The task's owner, so lists can show callers only their own (null in summaries stored before it was recorded).</summary>
    [Id(10)]
    public string? SubmittedBy { get; init; }
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskSummaryPage")]
public sealed record class TaskSummaryPage(
    [property: Id(0)] IReadOnlyList<TaskSummary> Items,
    [property: Id(1)] string? NextCursor);

/// <summary>An agent's queue as the router and the dispatcher see it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentLoad")]
public sealed record class AgentLoad(
    [property: Id(0)] string AgentId,
    [property: Id(1)] bool Accepting,
    [property: Id(2)] int Running,
    [property: Id(3)] int Queued,
    [property: Id(4)] int MaxConcurrentTasks,
    [property: Id(5)] int QueueCapacity,
    [property: Id(6)] IReadOnlyList<string> Capabilities,
    [property: Id(7)] bool Healthy,
    [property: Id(8)] bool Degraded = false,
    [property: Id(9)] int Finishing = 0);

/// <summary>A skill as <c>GET /api/skills</c> lists it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.SkillInfo")]
public sealed record class SkillInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Description,
    [property: Id(2)] string InputSchemaJson,
    [property: Id(3)] IReadOnlyList<string> Capabilities);
