using System.Globalization;
using OrleansAgents.Api.Errors;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansAgents.Api.Apis;

/// <summary>One UTC day's usage; <c>models</c> is short (one entry per provider/model used), so it is not paginated.</summary>
public sealed record UsageResponse(string? User, string? AgentId, string Day, long Tokens, decimal CostUsd, int Turns, IReadOnlyList<ModelUsage> Models)
{
    public static UsageResponse Of(string? user, string? agentId, DateTimeOffset now, UsageTotals usage) => new(
        user, agentId, now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        usage.Tokens, usage.CostUsd, usage.Turns, usage.Models);
}

/// <summary>
/// <c>GET /api/usage?by=&amp;from=&amp;to=</c>: usage over UTC days (both ends included) grouped by
/// user, agent or provider/model, largest cost first. <c>user</c> is null when the report covers
/// every user (a caller with system:metrics and no <c>user=</c>).
/// </summary>
public sealed record UsageReport(string By, string From, string To, string? User, long Tokens, decimal CostUsd, int Turns, IReadOnlyList<UsageGroup> Groups);

/// <summary>One group of a usage report: <c>key</c> is the user id, the agent id or <c>provider/model</c>.</summary>
public sealed record UsageGroup(string Key, long InputTokens, long OutputTokens, long Tokens, decimal CostUsd, int Turns);

/// <summary>The validated <c>by</c>, <c>from</c> and <c>to</c> of a usage report.</summary>
public sealed record UsageQuery(string By, DateOnly From, DateOnly To)
{
    public static readonly string[] Groupings = ["user", "agent", "model"];

    public static bool TryParse(string? by, string? from, string? to, DateOnly today, out UsageQuery query, out ProblemHttpResult? problem)
    {
        query = new UsageQuery("model", today, today);
        problem = null;
        by ??= "model";
        if (!Groupings.Contains(by, StringComparer.Ordinal))
        {
            problem = ProblemResults.Invalid(ErrorCodes.UsageInvalidGroup, $"by must be one of {string.Join(", ", Groupings)}.");
            return false;
        }

        if (!TryDay(to, today, out var last) || !TryDay(from, last, out var first))
        {
            problem = ProblemResults.Invalid(ErrorCodes.UsageInvalidRange, "from and to are UTC days written yyyy-MM-dd.");
            return false;
        }

        var days = last.DayNumber - first.DayNumber + 1;
        var why = first > last ? $"from ({from}) is after to ({last:yyyy-MM-dd})."
            : last > today ? $"to ({to}) is after today ({today:yyyy-MM-dd}, UTC)."
            : days > ConversationRules.MaxUsageRangeDays ? $"The range is {days} days; at most {ConversationRules.MaxUsageRangeDays} are answered at once."
            : null;
        if (why is not null)
        {
            problem = ProblemResults.Invalid(ErrorCodes.UsageInvalidRange, why);
            return false;
        }

        query = new UsageQuery(by, first, last);
        return true;
    }

    public IEnumerable<DateOnly> Days => Enumerable.Range(0, To.DayNumber - From.DayNumber + 1).Select(From.AddDays);

    public UsageReport Report(string? user, IEnumerable<UsageRow> rows)
    {
        var groups = rows.GroupBy(r => By switch { "user" => r.User, "agent" => r.AgentId, _ => r.Usage.Provider + "/" + r.Usage.Model }, StringComparer.Ordinal)
            .Select(g => new UsageGroup(g.Key, g.Sum(r => r.Usage.InputTokens), g.Sum(r => r.Usage.OutputTokens), g.Sum(r => r.Usage.TotalTokens),
                g.Sum(r => r.Usage.CostUsd), g.Sum(r => r.Usage.Turns)))
            .OrderByDescending(g => g.CostUsd).ThenByDescending(g => g.Tokens).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        return new UsageReport(By, Day(From), Day(To), user, groups.Sum(g => g.Tokens), groups.Sum(g => g.CostUsd), groups.Sum(g => g.Turns), groups);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool TryDay(string? text, DateOnly otherwise, out DateOnly day)
    {
        day = otherwise;
        return text is null || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
