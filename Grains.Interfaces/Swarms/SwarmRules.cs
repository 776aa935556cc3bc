using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansAgents.Swarms;

/// <summary>The published defaults, names and id scheme of particle swarm optimisation.</summary>
public static partial class SwarmRules
{
    /// <summary>"o_" and 32 lowercase hex digits.</summary>
    public const string IdPattern = "^o_[0-9a-f]{32}$";
    public const int DefaultSwarmSize = 40;
    public const int DefaultIterations = 1000;
    public const int DefaultInformants = 3;
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    /// <summary>SPSO-2011 inertia, 1 / (2 ln 2).</summary>
    public static readonly double DefaultInertia = 1 / (2 * Math.Log(2));

    /// <summary>SPSO-2011 cognitive and social coefficient, 0.5 + ln 2.</summary>
    public static readonly double DefaultAcceleration = 0.5 + Math.Log(2);

    public static readonly IReadOnlyList<string> Functions = ["sphere", "rastrigin", "rosenbrock", "ackley", "griewank"];

    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdRegex().IsMatch(id);

    public static string NewId() => "o_" + Guid.NewGuid().ToString("N");

    /// <summary>The same caller and idempotency key always name the same optimisation.</summary>
    public static string IdForIdempotencyKey(string submittedBy, string key) =>
        "o_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(submittedBy + "\n" + key)).AsSpan(0, 16));

    public static bool IsFinished(OptimizationStatus status) => status != OptimizationStatus.Running;

    [GeneratedRegex("^o_[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
