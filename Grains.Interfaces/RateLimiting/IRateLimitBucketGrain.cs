namespace OrleansAgents.RateLimiting;

/// <summary>
/// One user's rate-limit bucket (key: user id, optionally <c>user/scope</c>). Decisions are made
/// in memory by this one activation, so callers on any silo share one count.
/// </summary>
[Alias("OrleansAgents.IRateLimitBucketGrain")]
public interface IRateLimitBucketGrain : IGrainWithStringKey
{
    /// <summary>Admits the request if it fits every window, spending its cost; otherwise spends nothing.</summary>
    [Alias("Decide")]
    ValueTask<RateLimitDecision> DecideAsync(RateLimitRequest request);

    /// <summary>
    /// Spends an allowance that an API process then hands out locally (see RateLimitLeaseRequest):
    /// admissions stay within the bucket's limits plus what holders had leased before a window began.
    /// </summary>
    [Alias("Lease")]
    ValueTask<RateLimitLeaseGrant> LeaseAsync(RateLimitLeaseRequest request);

    /// <summary>Gives back unspent units of a grant made at <paramref name="grantedAt"/>.</summary>
    [Alias("ReturnLease")]
    Task ReturnAsync(int units, DateTimeOffset grantedAt);

    /// <summary>Charges AI tokens after the fact against the daily token quota.</summary>
    [Alias("ChargeAiTokens")]
    Task<RateLimitStatus> ChargeAiTokensAsync(long tokens);

    [Alias("Status")]
    ValueTask<RateLimitStatus> GetStatusAsync();

    [Alias("SetTier")]
    Task<RateLimitStatus> SetTierAsync(string tier);

    /// <summary>Forgets all usage (tier is kept).</summary>
    [Alias("Reset")]
    Task<RateLimitStatus> ResetAsync();
}
