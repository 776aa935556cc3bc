namespace OrleansAgents.RateLimiting;

/// <summary>One decision request: how many units the call costs, and whether it spends AI tokens.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitRequest")]
public sealed record class RateLimitRequest(
    [property: Id(0)] int Cost,
    [property: Id(1)] bool UsesAiTokens = false);

/// <summary>The state of one window after a decision or a peek.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitWindow")]
public sealed record class RateLimitWindow(
    [property: Id(0)] string Name,
    [property: Id(1)] long Limit,
    [property: Id(2)] long Used,
    [property: Id(3)] long Remaining,
    [property: Id(4)] TimeSpan Window,
    [property: Id(5)] TimeSpan ResetAfter);

[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitDecision")]
public sealed record class RateLimitDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] string Tier,
    [property: Id(2)] IReadOnlyList<RateLimitWindow> Windows,
    [property: Id(3)] TimeSpan RetryAfter,
    [property: Id(4)] string? ViolatedWindow);

/// <summary>A user's tier, limits and usage, without spending anything.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitStatus")]
public sealed record class RateLimitStatus(
    [property: Id(0)] string Key,
    [property: Id(1)] string Tier,
    [property: Id(2)] IReadOnlyList<RateLimitWindow> Windows);

public static class RateLimitWindows
{
    public const string Minute = "minute";
    public const string Hour = "hour";
    public const string Day = "day";
    public const string AiTokens = "ai-tokens";
}

/// <summary>
/// An API process asks for an allowance it may spend locally until <c>GrantedAt</c> + its lease
/// lifetime: <see cref="Need"/> units it must have now (the pending request's cost), up to
/// <see cref="Want"/> in all. It hands back <see cref="Returned"/> unspent units of its previous
/// grant (granted at <see cref="ReturnedGrantedAt"/>) in the same call.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitLeaseRequest")]
public sealed record class RateLimitLeaseRequest(
    [property: Id(0)] int Need,
    [property: Id(1)] int Want,
    [property: Id(2)] int Returned = 0,
    [property: Id(3)] DateTimeOffset ReturnedGrantedAt = default);

/// <summary>
/// <see cref="Granted"/> units already spent in the bucket on the holder's behalf (0 with a
/// rejected <see cref="Decision"/> when not even the need fits); the decision's windows are as of
/// <see cref="GrantedAt"/>, after the grant.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitLeaseGrant")]
public sealed record class RateLimitLeaseGrant(
    [property: Id(0)] int Granted,
    [property: Id(1)] DateTimeOffset GrantedAt,
    [property: Id(2)] RateLimitDecision Decision);
