using OrleansAgents.Conversations;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>One agent's spending on one UTC day; a new day is a new grain, so the budget resets without a job.</summary>
public sealed class AgentSpendGrain(
    [PersistentState("spend", StorageNames.Tasks)] IPersistentState<AgentSpendState> state) : Grain, IAgentSpendGrain
{
    public ValueTask<decimal> SpentAsync() => ValueTask.FromResult(state.State.SpentUsd);

    public async Task AddAsync(decimal usd)
    {
        state.State.SpentUsd += usd;
        await state.SaveOrDeactivateAsync(this);
    }
}

[GenerateSerializer, Alias("OrleansAgents.AgentSpendState.v1")]
public sealed class AgentSpendState
{
    [Id(0)] public decimal SpentUsd { get; set; }
}
