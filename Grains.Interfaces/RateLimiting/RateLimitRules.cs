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

    public static bool IsValidUserId([NotNullWhen(true)] string? userId) => userId is not null && UserIdRegex().IsMatch(userId);

    [GeneratedRegex("^[a-z0-9][a-z0-9-_.@]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdRegex();
}
