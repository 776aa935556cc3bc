using Microsoft.Extensions.Logging;
using OrleansAgents.Conversations;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// After an agent's run (a conversation turn, a workflow planning) has been stored: charges the
/// owner's AI-token quota and counts the tokens and cost on the agent's day (its budgets), the
/// owner's day (the tier's USD budget) and the day's usage report. Only the agent's own model calls:
/// a delegate's turn is counted by its own conversation, whose owner is the asking one's, so the
/// original caller pays for it once and the delegate agent's day shows the work it did. A failure under-counts the run rather than failing it: the calls happened and were
/// paid for, and a resumed run must not be charged twice.
/// </summary>
public sealed partial class ModelUsageRecorder(IGrainFactory grains, AgentUsageMetrics metrics, TimeProvider time, ILogger<ModelUsageRecorder> logger)
{
    public async Task RecordAsync(string agentId, string owner, string provider, string model, long input, long output, long total, decimal cost)
    {
        if (total > 0)
        {
            try
            {
                await grains.GetGrain<IRateLimitBucketGrain>(owner).ChargeAiTokensAsync(Math.Min(total, RateLimitRules.MaxAiTokensPerCharge));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogChargeFailed(logger, ex, owner, total);
            }
        }

        metrics.Turn(agentId, owner, provider, model, input, output, cost);
        var usage = new ModelUsage(provider, model, input, output, cost);
        try
        {
            var now = time.GetUtcNow();
            await Task.WhenAll(
                grains.GetGrain<IAgentSpendGrain>(ConversationRules.SpendKey(agentId, now)).RecordAsync(usage),
                grains.GetGrain<IAgentSpendGrain>(ConversationRules.UserUsageKey(owner, now)).RecordAsync(usage),
                grains.GetGrain<IUsageDayGrain>(ConversationRules.UsageDayKey(DateOnly.FromDateTime(now.UtcDateTime))).RecordAsync(owner, agentId, usage));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogChargeFailed(logger, ex, agentId, input + output);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not charge {Tokens} AI tokens of an agent run to {UserId}; the quota or budget under-counts it")]
    private static partial void LogChargeFailed(ILogger logger, Exception ex, string userId, long tokens);
}
