using OrleansAgents.Conversations;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// One agent's (or user's) usage on one UTC day: tokens and USD, split by provider and model. A
/// new day is a new grain, so budgets reset without a job, and the totals are stored, so a silo
/// restart does not forget what was spent.
/// </summary>
public sealed class AgentSpendGrain(
    [PersistentState("spend", StorageNames.Tasks)] IPersistentState<AgentSpendState> state) : Grain, IAgentSpendGrain
{
    public ValueTask<UsageTotals> GetUsageAsync()
    {
        var s = state.State;
        var models = s.Models.Values.OrderBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal).ToList();
        return ValueTask.FromResult(new UsageTotals(s.Tokens, s.SpentUsd, s.Turns, models));
    }

    public async Task RecordAsync(ModelUsage usage)
    {
        var s = state.State;
        var key = usage.Provider + "/" + usage.Model;
        s.Models[key] = s.Models.TryGetValue(key, out var known)
            ? known.Plus(usage)
            : usage;
        s.SpentUsd += usage.CostUsd;
        s.Tokens += usage.TotalTokens;
        s.Turns += usage.Turns;
        await state.SaveOrDeactivateAsync(this);
    }
}

[GenerateSerializer, Alias("OrleansAgents.AgentSpendState.v1")]
public sealed class AgentSpendState
{
    [Id(0)] public decimal SpentUsd { get; set; }

    [Id(1)] public long Tokens { get; set; }

    [Id(2)] public int Turns { get; set; }

    /// <summary>Key: provider/model.</summary>
    [Id(3)] public Dictionary<string, ModelUsage> Models { get; set; } = new(StringComparer.Ordinal);
}
