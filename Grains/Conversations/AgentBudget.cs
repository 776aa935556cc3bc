using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.RateLimiting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// Daily budgets are hard stops: the agent's (USD and tokens, from its registration) and the
/// owner's (USD, from the owner's tier: RateLimiting:Tiers:{tier}:UsdPerDay). Checked when a
/// message arrives (429, so the client learns it at once) and again when its turn starts (a
/// queued turn may find the budget used up by the turns before it), never after a provider call
/// was made. A delegate's conversation has the same owner, so the delegate's turns are checked
/// against, and counted on, the original caller's budget.
/// </summary>
internal static class AgentBudget
{
    public static async Task RequireWithinAsync(IGrainFactory grains, AgentView agent, DateTimeOffset now)
    {
        if (agent.DailyBudgetUsd is null && agent.DailyBudgetTokens is null)
        {
            return;
        }

        var usage = await grains.GetGrain<IAgentSpendGrain>(ConversationRules.SpendKey(agent.Id, now)).GetUsageAsync();
        var over = agent.DailyBudgetUsd is { } usd && usage.CostUsd >= usd ? $"{usage.CostUsd} USD of its daily budget of {usd} USD"
            : agent.DailyBudgetTokens is { } tokens && usage.Tokens >= tokens ? $"{usage.Tokens} tokens of its daily budget of {tokens} tokens"
            : null;
        if (over is not null)
        {
            throw Exceeded($"Agent '{agent.Id}' has spent {over}; it frees up at 00:00 UTC.", now);
        }
    }

    public static async Task RequireOwnerWithinAsync(IGrainFactory grains, RateLimitingOptions tiers, string owner, DateTimeOffset now)
    {
        var tier = (await grains.GetGrain<IRateLimitBucketGrain>(owner).GetStatusAsync()).Tier;
        if (tiers.LimitsOf(tier).UsdPerDay is not { } budget)
        {
            return;
        }

        var usage = await grains.GetGrain<IAgentSpendGrain>(ConversationRules.UserUsageKey(owner, now)).GetUsageAsync();
        if (usage.CostUsd >= budget)
        {
            throw Exceeded($"User '{owner}' has spent {usage.CostUsd} USD of the daily budget of {budget} USD of tier '{tier}'; it frees up at 00:00 UTC.", now);
        }
    }

    private static DomainException Exceeded(string message, DateTimeOffset now)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return new DomainException(ErrorCodes.BudgetExceeded, message, DomainErrorKind.TooManyRequests) { RetryAfter = midnight - now };
    }
}
