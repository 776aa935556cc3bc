namespace OrleansAgents.Api.Apis;

public static partial class RateLimitsApi
{
    public sealed record TierRequest(string? Tier);

    /// <summary>Durations in whole seconds, as in the RateLimit headers.</summary>
    public sealed record RateLimitStatusResponse(string UserId, string Tier, IReadOnlyList<WindowResponse> Windows)
    {
        public static RateLimitStatusResponse From(RateLimitStatus status) => new(status.Key, status.Tier,
            [.. status.Windows.Select(w => new WindowResponse(w.Name, w.Limit, w.Used, w.Remaining,
                RateLimiting.RateLimitHeaders.Seconds(w.Window), RateLimiting.RateLimitHeaders.Seconds(w.ResetAfter)))]);
    }

    /// <summary>The keys rate limited most since <c>From</c> (the start of the previous UTC minute), most first.</summary>
    public sealed record TopLimitedResponse(DateTimeOffset From, IReadOnlyList<LimitedResponse> Items);

    public sealed record LimitedResponse(string UserId, string Tier, long Rejections, DateTimeOffset LastRejectedAt);

    public sealed record WindowResponse(string Name, long Limit, long Used, long Remaining, long WindowSeconds, long ResetSeconds);
}
