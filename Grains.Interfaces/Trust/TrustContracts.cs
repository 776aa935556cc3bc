namespace OrleansAgents.Trust;

/// <summary>How the rater judged one interaction with the target.</summary>
[GenerateSerializer, Alias("OrleansAgents.TrustOutcome")]
public enum TrustOutcome
{
    Satisfied = 0,
    Unsatisfied = 1,
}

/// <summary>
/// One rating: <paramref name="Rater"/> (an agent id or <see cref="TrustRules.UsersPeer"/>) was
/// satisfied or not with <paramref name="Target"/> (an agent id). <paramref name="Weight"/> counts
/// as that many interactions (0 &lt; weight ≤ <see cref="TrustRules.MaxWeight"/>).
/// <paramref name="EventId"/>, when given, makes the rating idempotent: the rater's row ignores an
/// event id it has recently recorded (e.g. <c>task:{taskId}</c>, <c>swarm:{roundId}</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TrustRating")]
public sealed record class TrustRating(
    [property: Id(0)] string Rater,
    [property: Id(1)] string Target,
    [property: Id(2)] TrustOutcome Outcome,
    [property: Id(3)] double Weight = 1,
    [property: Id(4)] string? Reason = null,
    [property: Id(5)] string? EventId = null);

/// <summary>What a batch of ratings did: recorded, or skipped as a repeat of a recent event id.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TrustRecordResult")]
public sealed record class TrustRecordResult(
    [property: Id(0)] int Recorded,
    [property: Id(1)] int Duplicates);

/// <summary>The rater's interactions with one target: s = satisfied − unsatisfied.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.LocalTrustEntry")]
public sealed record class LocalTrustEntry(
    [property: Id(0)] string Target,
    [property: Id(1)] double Satisfied,
    [property: Id(2)] double Unsatisfied)
{
    public double Score => Satisfied - Unsatisfied;
}

/// <summary>A rater's local trust row, targets in ordinal order.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.LocalTrustRow")]
public sealed record class LocalTrustRow(
    [property: Id(0)] string Domain,
    [property: Id(1)] string Rater,
    [property: Id(2)] IReadOnlyList<LocalTrustEntry> Entries,
    [property: Id(3)] long Ratings,
    [property: Id(4)] DateTimeOffset? UpdatedAt);

/// <summary>
/// One agent's global trust. <paramref name="Computed"/> is false for an agent the last
/// computation did not know (a newcomer): its <paramref name="Trust"/> is then the uniform share 1/n.
/// <paramref name="Rank"/> is 1-based among computed peers, null when not computed.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.GlobalTrustScore")]
public sealed record class GlobalTrustScore(
    [property: Id(0)] string AgentId,
    [property: Id(1)] double Trust,
    [property: Id(2)] int? Rank,
    [property: Id(3)] bool Computed,
    [property: Id(4)] long Version,
    [property: Id(5)] DateTimeOffset? ComputedAt);

/// <summary>A page of the ranking (highest trust first) of one stored computation.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.GlobalTrustPage")]
public sealed record class GlobalTrustPage(
    [property: Id(0)] IReadOnlyList<GlobalTrustScore> Items,
    [property: Id(1)] int Total,
    [property: Id(2)] long Version,
    [property: Id(3)] DateTimeOffset? ComputedAt);

[GenerateSerializer, Alias("OrleansAgents.TrustRecomputePhase")]
public enum TrustRecomputePhase
{
    Idle = 0,
    Loading = 1,
    Iterating = 2,
    Succeeded = 3,
    Failed = 4,
}

/// <summary>
/// The coordinator's progress: the current (or last) run and the stored result's version.
/// <paramref name="Residual"/> is the L1 change of the last iteration.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TrustRecomputeStatus")]
public sealed record class TrustRecomputeStatus(
    [property: Id(0)] string Domain,
    [property: Id(1)] TrustRecomputePhase Phase,
    [property: Id(2)] bool Running,
    [property: Id(3)] int Peers,
    [property: Id(4)] int Iteration,
    [property: Id(5)] double? Residual,
    [property: Id(6)] DateTimeOffset? StartedAt,
    [property: Id(7)] DateTimeOffset? FinishedAt,
    [property: Id(8)] TimeSpan? Duration,
    [property: Id(9)] string? Error,
    [property: Id(10)] long Version,
    [property: Id(11)] long Ratings,
    [property: Id(12)] bool Converged);

/// <summary>
/// A stored computation: peers in ordinal order with their global trust (same index).
/// Version counts computations of the domain; 0 means none has finished yet.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.GlobalTrustSnapshot")]
public sealed record class GlobalTrustSnapshot(
    [property: Id(0)] string Domain,
    [property: Id(1)] long Version,
    [property: Id(2)] IReadOnlyList<string> Peers,
    [property: Id(3)] IReadOnlyList<double> Trust,
    [property: Id(4)] DateTimeOffset ComputedAt,
    [property: Id(5)] int Iterations,
    [property: Id(6)] double Residual);
