using System.Text.RegularExpressions;

namespace OrleansAgents.Security;

public static partial class SecurityRules
{
    public const string UserNamePattern = "^[a-z0-9][a-z0-9._-]{1,63}$";
    public const int PasswordMinLength = 12;
    public const int PasswordMaxLength = 256;

    /// <summary>API keys look like <c>oak_{id}_{secret}</c>; the id is 16 lowercase base32 characters.</summary>
    public const string ApiKeyPrefix = "oak_";

    /// <summary>Length of an API key id (lowercase base32, so it never contains the <c>_</c> separator).</summary>
    public const int ApiKeyIdLength = 16;

    /// <summary>
    /// A user's rate-limit tier name. RateLimitRules has no tier-name rule (tiers are configuration
    /// keys), so this is the syntax users may carry; whether the tier exists is the limiter's business.
    /// </summary>
    public const string TierPattern = "^[a-z0-9-]{1,32}$";

    /// <summary>Longest display name of a user or name of an API key.</summary>
    public const int DisplayNameMaxLength = 100;

    /// <summary>Most agents one worker key may act for (a key per worker pool keeps a leak small).</summary>
    public const int MaxKeyAgents = 16;

    /// <summary>A key's agent scope: 1 to <see cref="MaxKeyAgents"/> distinct valid agent ids.</summary>
    public static bool IsValidKeyAgents(IReadOnlyList<string>? agents) =>
        agents is { Count: > 0 and <= MaxKeyAgents } && agents.All(OrleansAgents.Agents.AgentRules.IsValidId)
        && agents.Distinct(StringComparer.Ordinal).Count() == agents.Count;

    public static bool IsValidUserName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) => name is not null && UserNameRegex().IsMatch(name);

    public static bool IsValidTier([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? tier) => tier is not null && TierRegex().IsMatch(tier);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserNameRegex();

    [GeneratedRegex("^[a-z0-9-]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TierRegex();

    /// <summary>
    /// The deny-list entry that ends every access token a user got before its security stamp moved
    /// past <paramref name="stamp"/> (tokens carry the stamp; the list is keyed like a token id).
    /// </summary>
    public static string StampTokenId(string userName, long stamp) => $"stamp:{userName}:{stamp}";

    /// <summary>Longest access-token lifetime the API accepts: stamp entries are kept this long.</summary>
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromHours(12);
}
