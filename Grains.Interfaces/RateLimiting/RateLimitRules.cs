using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OrleansAgents.RateLimiting;

public static partial class RateLimitRules
{
    public const string UserIdPattern = "^[a-z0-9][a-z0-9-_.@]{0,127}$";
    public const int MaxCost = 1000;
    public const long MaxAiTokensPerCharge = 10_000_000;

    /// <summary>The most units one lease request may ask for or give back.</summary>
    public const int MaxLeaseUnits = 10_000;

    /// <summary>
    /// Buckets of callers without a token: per client address (<c>ip-…</c>, or <c>anonymous</c> when the
    /// address is unknown) and per login name (<c>login-…</c>). They start in RateLimiting:AnonymousTier.
    /// </summary>
    public static bool IsAnonymousBucket(string key) =>
        key == "anonymous" || key.StartsWith("ip-", StringComparison.Ordinal) || key.StartsWith("login-", StringComparison.Ordinal);

    /// <summary>Rejections are counted per UTC minute: the key of the <see cref="IRateLimitRejectionsGrain"/> for the minute of <paramref name="at"/>.</summary>
    public static string RejectionWindowKey(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The most keys <c>GET /api/rate-limits</c> lists.</summary>
    public const int MaxTopLimited = 100;

    public static bool IsValidUserId([NotNullWhen(true)] string? userId) => userId is not null && UserIdRegex().IsMatch(userId);

    [GeneratedRegex("^[a-z0-9][a-z0-9-_.@]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdRegex();
}
