using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OrleansAgents.Conversations;

/// <summary>The published limits of hosted agents and their conversations (part of the API contract).</summary>
public static partial class ConversationRules
{
    public const int InstructionsMaxLength = 32_000;
    public const int ModelNameMaxLength = 128;
    public const int MaxOutputTokensLimit = 1_000_000;
    public const int MaxTools = 32;

    /// <summary>The tool that gives an agent remember/recall on its own memory.</summary>
    public const string MemoryTool = "memory";

    /// <summary>Model calls per message (the framework's function-invocation iterations).</summary>
    public const int DefaultMaxTurns = 8;
    public const int MaxTurnsLimit = 50;

    /// <summary>Tool calls per message; beyond it a call answers the model with an error instead of running.</summary>
    public const int DefaultMaxToolCalls = 16;
    public const int MaxToolCallsLimit = 200;

    public const int ContentMaxLength = 32_000;
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;

    /// <summary>"c_" and 26 lowercase base32 characters.</summary>
    public const string IdPattern = "^c_[a-z2-7]{26}$";

    public static string NewId() => "c_" + IdEncoding.Base32(RandomNumberGenerator.GetBytes(17));

    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdRegex().IsMatch(id);

    public const decimal MaxDailyBudgetUsd = 1_000_000m;

    public const long MaxDailyBudgetTokens = 1_000_000_000_000L;

    /// <summary>The key of one agent's spending on one UTC day.</summary>
    public static string SpendKey(string agentId, DateTimeOffset now) =>
        agentId + "/" + now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key of one user's usage on one UTC day ('@' cannot start an agent id, so it never meets an agent's key).</summary>
    public static string UserUsageKey(string userId, DateTimeOffset now) => "@" + SpendKey(userId, now);

    /// <summary>The longest range <c>GET /api/usage?from=&amp;to=</c> answers, in days (both ends included): a quarter.</summary>
    public const int MaxUsageRangeDays = 92;

    /// <summary>The key of one UTC day's usage rows (by user, agent and model): <c>yyyy-MM-dd</c>.</summary>
    public static string UsageDayKey(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key of the index of one owner's conversations with one agent.</summary>
    public static string IndexKey(string agentId, string owner) => agentId + "/" + owner;

    [GeneratedRegex("^c_[a-z2-7]{26}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
