namespace OrleansAgents.Trust;

/// <summary>
/// Entry point for recording outcomes, keyed by trust domain (e.g. <see cref="TrustRules.DefaultDomain"/>).
/// A stateless worker: it validates, groups the batch by rater and hands each group to the
/// rater's row. Checks formats only: callers make sure the agents exist (the API does).
/// </summary>
[Alias("OrleansAgents.ITrustRecorderGrain")]
public interface ITrustRecorderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a batch (at most <see cref="TrustRules.MaxBatch"/>). Invalid input throws
    /// <c>DomainException</c> with a <c>trust.*</c> code and records nothing. Self-ratings are rejected.
    /// </summary>
    [Alias("Record")]
    Task<TrustRecordResult> RecordAsync(IReadOnlyList<TrustRating> ratings);
}

/// <summary>
/// Reads global trust of one domain (key), from a snapshot each silo caches for a few seconds.
/// </summary>
[Alias("OrleansAgents.ITrustReaderGrain")]
public interface ITrustReaderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Global trust of each requested agent; agents the last computation did not know get the
    /// uniform share 1/n (n = peers of that computation, 1 before any computation).
    /// </summary>
    [Alias("GetGlobalTrust")]
    ValueTask<IReadOnlyDictionary<string, double>> GetGlobalTrustAsync(IReadOnlyList<string> agentIds);

    [Alias("Get")]
    ValueTask<GlobalTrustScore> GetAsync(string agentId);

    /// <summary>Ranking, highest first, of the snapshot <paramref name="version"/> (0: the newest).</summary>
    [Alias("List")]
    ValueTask<GlobalTrustPage> ListAsync(int offset, int limit, long version);
}

/// <summary>A rater's local trust row (key <c>{domain}/{rater}</c>): the source of truth for its ratings.</summary>
[Alias("OrleansAgents.ILocalTrustGrain")]
public interface ILocalTrustGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task<TrustRecordResult> RecordAsync(IReadOnlyList<TrustRating> ratings);

    [Alias("GetRow")]
    ValueTask<LocalTrustRow> GetRowAsync();
}

/// <summary>Computes and stores global trust of one domain (key).</summary>
[Alias("OrleansAgents.ITrustCoordinatorGrain")]
public interface ITrustCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Starts a computation unless one is running and returns at once.</summary>
    [Alias("Start")]
    Task<TrustRecomputeStatus> StartRecomputeAsync();

    /// <summary>Runs a computation (or joins the running one) and returns when it has finished.</summary>
    [Alias("Recompute")]
    Task<TrustRecomputeStatus> RecomputeAsync();

    [Alias("Status"), Orleans.Concurrency.AlwaysInterleave]
    ValueTask<TrustRecomputeStatus> GetStatusAsync();

    /// <summary>The stored result, or null when it is still <paramref name="knownVersion"/> or none exists.</summary>
    [Alias("Snapshot"), Orleans.Concurrency.AlwaysInterleave]
    ValueTask<GlobalTrustSnapshot?> GetSnapshotAsync(long knownVersion);
}
