using System.Text.Json;

namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/tasks (capability or agentId) and POST /api/agents/{id}/tasks. Unknown fields are rejected.</summary>
public sealed record TaskRequest(
    string? Skill,
    JsonElement? Input,
    TaskPriority? Priority,
    double? TimeoutSeconds,
    double? HardTimeoutSeconds,
    int? MaxAttempts,
    string? Capability = null,
    string? AgentId = null);

/// <summary>A task as the API shows it: input and result as JSON, durations in seconds.</summary>
public sealed record TaskResponse(
    string Id,
    string AgentId,
    string? Capability,
    string Skill,
    JsonElement Input,
    TaskPriority Priority,
    TaskState State,
    double TimeoutSeconds,
    double HardTimeoutSeconds,
    int MaxAttempts,
    IReadOnlyList<TaskAttempt> Attempts,
    JsonElement? Result,
    TaskError? Error,
    string? IdempotencyKey,
    string SubmittedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    long Version)
{
    public static TaskResponse From(TaskView v) => new(
        v.Id, v.AgentId, v.Capability, v.Skill, Parse(v.InputJson), v.Priority, v.State,
        v.Timeout.TotalSeconds, v.HardTimeout.TotalSeconds, v.MaxAttempts, v.Attempts,
        v.ResultJson is null ? null : Parse(v.ResultJson), v.Error, v.IdempotencyKey, v.SubmittedBy,
        v.CreatedAt, v.UpdatedAt, v.FinishedAt, v.Version);

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

/// <summary>A page of task summaries; pass <c>nextCursor</c> back as <c>cursor</c>.</summary>
public sealed record TaskListResponse(IReadOnlyList<TaskSummary> Items, string? NextCursor);

/// <summary>A skill with its input schema.</summary>
public sealed record SkillResponse(string Name, string Description, JsonElement InputSchema, IReadOnlyList<string> Capabilities);

/// <summary>One progress event as sent on the SSE stream.</summary>
public sealed record TaskEventResponse(
    long Sequence,
    DateTimeOffset At,
    TaskEventType Type,
    TaskState State,
    TaskAttempt? Attempt,
    JsonElement? Result,
    TaskError? Error)
{
    public static TaskEventResponse From(TaskEvent e) => new(
        e.Sequence, e.At, e.Type, e.State, e.Attempt, e.ResultJson is null ? null : TaskResponse.Parse(e.ResultJson), e.Error);
}
