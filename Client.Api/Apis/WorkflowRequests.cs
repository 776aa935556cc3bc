using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/workflows and PUT /api/workflows/{id}. Unknown fields are rejected.</summary>
/// <param name="Id">The workflow id on create (generated when absent); must match the path on update.</param>
/// <param name="ExpectedVersion">On update: refuse with 409 unless the latest version is this one.</param>
public sealed record WorkflowRequest(
    string? Id,
    string? Name,
    string? Goal,
    JsonElement? InputSchema,
    IReadOnlyList<WorkflowStepRequest>? Steps,
    JsonElement? Output,
    int? ExpectedVersion = null)
{
    public WorkflowDefinition ToDefinition() => new(
        Name ?? "",
        Goal ?? "",
        Raw(InputSchema) ?? "{}",
        [.. (Steps ?? []).Select(s => s.ToStep())],
        Raw(Output));

    internal static string? Raw(JsonElement? value) => value is { ValueKind: not JsonValueKind.Undefined } v ? v.GetRawText() : null;
}

/// <summary>One step of a workflow as clients write it.</summary>
public sealed record WorkflowStepRequest(
    string? Id,
    string? Capability,
    string? AgentId,
    string? Skill,
    JsonElement? Input,
    IReadOnlyList<string>? DependsOn,
    string? Condition,
    int? MaxAttempts,
    int? TimeoutSeconds,
    bool? RequiresApproval)
{
    public WorkflowStep ToStep() => new(
        Id ?? "", Capability, AgentId, Skill ?? "", WorkflowRequest.Raw(Input) ?? "{}", DependsOn ?? [], Condition, MaxAttempts, TimeoutSeconds,
        RequiresApproval ?? false);
}

/// <summary>A workflow version as the API shows it; <c>definition</c> is in the same shape clients send.</summary>
public sealed record WorkflowResponse(
    string Id,
    string Name,
    int Version,
    int LatestVersion,
    WorkflowStatus Status,
    JsonObject Definition,
    IReadOnlyList<WorkflowValidationIssue> Issues,
    DateTimeOffset? ValidatedAt,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string UpdatedBy,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<WorkflowChange> History,
    WorkflowProvenance? Provenance)
{
    public static WorkflowResponse From(WorkflowView v) => new(
        v.Id, v.Definition.Name, v.Version, v.LatestVersion, v.Status, WorkflowJson.ToNode(v.Definition), v.Issues, v.ValidatedAt,
        v.CreatedBy, v.CreatedAt, v.UpdatedBy, v.UpdatedAt, v.History, v.Provenance);
}

/// <summary>A page of workflows; pass <c>nextCursor</c> back as <c>cursor</c>.</summary>
public sealed record WorkflowListResponse(IReadOnlyList<WorkflowSummary> Items, string? NextCursor);

/// <summary>Body of POST /api/workflows/{id}/runs.</summary>
public sealed record WorkflowRunRequestBody(WorkflowRunMode? Mode, JsonElement? Input);

/// <summary>Body of approve and reject (optional).</summary>
public sealed record WorkflowDecisionRequest(string? Comment);

public sealed record WorkflowStepResponse(
    string Id,
    WorkflowStepStatus Status,
    string? TaskId,
    string? AgentId,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? DurationSeconds,
    JsonElement? Output,
    WorkflowStepError? Error,
    string? DecidedBy,
    string? Comment)
{
    public static WorkflowStepResponse From(WorkflowStepView s) => new(
        s.Id, s.Status, s.TaskId, s.AgentId, s.Attempts, s.StartedAt, s.FinishedAt,
        s.StartedAt is { } started && s.FinishedAt is { } finished ? (finished - started).TotalSeconds : null,
        s.OutputJson is null ? null : TaskResponse.Parse(s.OutputJson), s.Error, s.DecidedBy, s.Comment);
}

public sealed record WorkflowRunResponse(
    string RunId,
    string WorkflowId,
    int WorkflowVersion,
    WorkflowRunMode Mode,
    WorkflowRunStatus Status,
    JsonElement Input,
    JsonElement? Output,
    WorkflowStepError? Error,
    IReadOnlyList<WorkflowStepResponse> Steps,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    double? DurationSeconds,
    long Version)
{
    public static WorkflowRunResponse From(WorkflowRunView v) => new(
        v.RunId, v.WorkflowId, v.WorkflowVersion, v.Mode, v.Status, TaskResponse.Parse(v.InputJson),
        v.OutputJson is null ? null : TaskResponse.Parse(v.OutputJson), v.Error, [.. v.Steps.Select(WorkflowStepResponse.From)],
        v.StartedBy, v.StartedAt, v.FinishedAt, v.FinishedAt is { } f ? (f - v.StartedAt).TotalSeconds : null, v.Version);
}

/// <summary>A page of runs; pass <c>nextCursor</c> back as <c>cursor</c>.</summary>
public sealed record WorkflowRunListResponse(IReadOnlyList<WorkflowRunSummary> Items, string? NextCursor);

/// <summary>One progress event of a run as sent on the SSE stream.</summary>
public sealed record WorkflowRunEventResponse(long Sequence, DateTimeOffset At, WorkflowRunEventType Type, WorkflowRunStatus RunStatus, WorkflowStepResponse? Step)
{
    public static WorkflowRunEventResponse From(WorkflowRunEvent e) =>
        new(e.Sequence, e.At, e.Type, e.RunStatus, e.Step is null ? null : WorkflowStepResponse.From(e.Step));
}
