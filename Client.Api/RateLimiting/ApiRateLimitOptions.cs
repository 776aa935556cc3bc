namespace OrleansAgents.Api.RateLimiting;

/// <summary>Section <c>RateLimiting</c> as the API reads it (tiers are the silo's business).</summary>
public sealed class ApiRateLimitOptions
{
    public const string Section = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Cost per route, keyed "METHOD /route/{template}" (e.g. "POST /api/agents"); default 1.</summary>
    public Dictionary<string, int> RouteCosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The tier a new user or API key gets when none is given, by role (the first role of
    /// <c>Roles.All</c> the subject holds that has an entry wins); subjects of other roles stay in the
    /// silo's DefaultTier. The bootstrap admin gets the admin entry.
    /// </summary>
    public Dictionary<string, string> RoleTiers { get; set; } = new(StringComparer.Ordinal) { ["admin"] = "enterprise" };
}

/// <summary>Endpoint metadata: what a call costs, and whether it spends AI tokens (so the token quota applies).</summary>
public sealed record RateLimitCost(int Cost, bool UsesAiTokens = false);
