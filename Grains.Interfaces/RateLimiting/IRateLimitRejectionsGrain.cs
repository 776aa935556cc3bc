using Orleans.Concurrency;

namespace OrleansAgents.RateLimiting;

/// <summary>
/// Who was rate limited in one UTC minute (key: <see cref="RateLimitRules.RejectionWindowKey"/>), for
/// operators' "top limited users". In memory only: a recent-activity view, not an audit record.
/// Buckets report batched counts (at most one call per bucket per report interval), so a flood of
/// rejections is not a flood of calls here.
/// </summary>
[Alias("OrleansAgents.IRateLimitRejectionsGrain")]
public interface IRateLimitRejectionsGrain : IGrainWithStringKey
{
    [OneWay, Alias("Add")]
    Task AddAsync(string key, string tier, long rejections, DateTimeOffset lastAt);

    /// <summary>The keys with the most rejections in this minute, most first.</summary>
    [Alias("Top")]
    ValueTask<IReadOnlyList<RateLimitRejections>> GetTopAsync(int limit);
}

/// <summary>One bucket's rejections in a window: its key (user id, API key id or anonymous caller), tier and count.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RateLimitRejections")]
public sealed record class RateLimitRejections(
    [property: Id(0)] string Key,
    [property: Id(1)] string Tier,
    [property: Id(2)] long Rejections,
    [property: Id(3)] DateTimeOffset LastAt);
