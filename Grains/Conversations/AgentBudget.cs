using OrleansAgents.Conversations;
using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// An agent's daily budgets (USD and tokens) are hard stops: checked when a message arrives (429,
/// so the client learns it at once) and again when its turn starts (a queued turn may find the
/// budget used up by the turns before it), never after a provider call was made.
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
        if (over is null)
        {
            return;
        }

        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        throw new DomainException(ErrorCodes.BudgetExceeded, $"Agent '{agent.Id}' has spent {over}; it frees up at 00:00 UTC.", DomainErrorKind.TooManyRequests)
        {
            RetryAfter = midnight - now,
        };
    }
}
