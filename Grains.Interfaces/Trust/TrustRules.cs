using System.Text.RegularExpressions;

namespace OrleansAgents.Trust;

/// <summary>Published limits and names of the trust feature (part of the contract).</summary>
public static partial class TrustRules
{
    /// <summary>The domain the API, routing and the periodic job use.</summary>
    public const string DefaultDomain = "default";

    /// <summary>
    /// The virtual peer whose row holds user ratings and the outcomes of tasks users submitted.
    /// It is always part of the pre-trusted distribution; it is not an agent and is never ranked.
    /// </summary>
    public const string UsersPeer = "@users";

    public const string DomainPattern = "^[a-z0-9][a-z0-9-_.]{0,63}$";
    public const double MaxWeight = 100;
    public const int ReasonMaxLength = 200;
    public const int EventIdMaxLength = 200;

    /// <summary>Most ratings one RecordAsync call accepts.</summary>
    public const int MaxBatch = 1000;

    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    /// <summary>Trust directory shards per domain; fixed for the life of a database (changing it loses peers).</summary>
    public const int DirectoryShards = 8;

    public static bool IsValidDomain([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? domain) =>
        domain is not null && DomainRegex().IsMatch(domain);

    /// <summary>An agent id (as <see cref="Agents.AgentRules.IsValidId"/>) or the users' virtual peer.</summary>
    public static bool IsValidRater([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? rater) =>
        rater == UsersPeer || Agents.AgentRules.IsValidId(rater);

    public static bool IsValidWeight(double weight) => double.IsFinite(weight) && weight > 0 && weight <= MaxWeight;

    /// <summary>Key of a rater's row grain: <c>{domain}/{rater}</c>.</summary>
    public static string RowKey(string domain, string rater) => domain + "/" + rater;

    // \z rather than $ so that a trailing newline is not accepted.
    [GeneratedRegex("^[a-z0-9][a-z0-9-_.]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainRegex();
}
