using System.Globalization;

namespace OrleansAgents.Api.RateLimiting;

/// <summary>
/// IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers, structured-field form):
/// <c>RateLimit-Policy: "minute";q=10;w=60, "hour";q=100;w=3600, ...</c> and
/// <c>RateLimit: "minute";r=7;t=42, ...</c> with r = remaining quota units and t = seconds to reset.
/// </summary>
public static class RateLimitHeaders
{
    public const string Policy = "RateLimit-Policy";
    public const string Current = "RateLimit";

    public static void Write(IHeaderDictionary headers, RateLimitDecision decision)
    {
        // The token quota only matters to AI routes; show it when it is the reason for a rejection.
        var windows = decision.Windows.Where(w => w.Name != RateLimitWindows.AiTokens || w.Name == decision.ViolatedWindow).ToList();
        headers[Policy] = string.Join(", ", windows.Select(w =>
            $"\"{w.Name}\";q={w.Limit};w={Seconds(w.Window)}"));
        headers[Current] = string.Join(", ", windows.Select(w =>
            $"\"{w.Name}\";r={w.Remaining};t={Seconds(w.ResetAfter)}"));
        if (!decision.Allowed)
        {
            headers.RetryAfter = Seconds(decision.RetryAfter).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Whole seconds, rounded up so a client that waits this long is never early.</summary>
    public static long Seconds(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(span.TotalSeconds);
}
