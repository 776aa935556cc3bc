using System.Text.Json;

namespace OrleansAgents.Api.Apis;

/// <summary><c>POST /api/agents/{id}/leases</c>: up to <c>max</c> tasks, waiting up to <c>waitSeconds</c> for the first.</summary>
public sealed record LeaseRequest(int? Max, double? WaitSeconds, IReadOnlyList<string>? Skills, double? LeaseSeconds);

public sealed record LeasedTaskResponse(
    string TaskId,
    string Skill,
    JsonElement Input,
    int Attempt,
    string EffectKey,
    DateTimeOffset Deadline,
    string LeaseToken,
    DateTimeOffset LeaseExpiresAt)
{
    public static LeasedTaskResponse From(TaskLeaseGrant g) =>
        new(g.TaskId, g.Skill, TaskResponse.Parse(g.InputJson), g.Attempt, g.EffectKey, g.Deadline, g.LeaseToken, g.LeaseExpiresAt);
}

public sealed record LeaseResponse(IReadOnlyList<LeasedTaskResponse> Tasks);

public sealed record LeaseRenewRequest(string? LeaseToken, double? LeaseSeconds);

public sealed record LeaseCompleteRequest(string? LeaseToken, JsonElement? Result);

public sealed record LeaseFailRequest(string? LeaseToken, string? Code, string? Message, bool? Transient, double? RetryAfterSeconds);

public sealed record LeaseProgressRequest(string? LeaseToken, string? Message, double? Percent, double? LeaseSeconds);

public sealed record LeaseRenewalResponse(string TaskId, int Attempt, DateTimeOffset LeaseExpiresAt)
{
    public static LeaseRenewalResponse From(TaskLeaseRenewal r) => new(r.TaskId, r.Attempt, r.LeaseExpiresAt);
}
