using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansAgents.Swarms;

/// <summary>Published limits and ids of consensus rounds.</summary>
public static partial class ConsensusRules
{
    /// <summary>"c_" and 32 lowercase hex digits.</summary>
    public const string IdPattern = "^c_[0-9a-f]{32}$";

    /// <summary>Origin of a round's tasks: <c>consensus:{roundId}</c>.</summary>
    public const string OriginPrefix = "consensus:";

    /// <summary>Hard ceiling of Swarms:MaxConsensusAgents: n·(n−1) swarm ratings must fit one trust batch.</summary>
    public const int MaxAgentsLimit = 31;

    /// <summary>Longest a POST may wait for its round to finish.</summary>
    public const double MaxWaitSeconds = 30;

    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdRegex().IsMatch(id);

    public static string NewId() => "c_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The same caller and idempotency key always name the same round.</summary>
    public static string IdForIdempotencyKey(string submittedBy, string key) =>
        "c_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(submittedBy + "\n" + key)).AsSpan(0, 16));

    [GeneratedRegex("^c_[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
