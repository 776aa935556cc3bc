using OrleansAgents.Conversations;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>A delegate conversation's lineage, persisted so a delegate resumed on another silo keeps its bounds.</summary>
public sealed class DelegationLineageGrain(
    [PersistentState("lineage", StorageNames.Tasks)] IPersistentState<DelegationLineageState> state) : Grain, IDelegationLineageGrain
{
    public ValueTask<IReadOnlyList<string>> GetAsync() => ValueTask.FromResult<IReadOnlyList<string>>(state.State.Chain);

    public async Task SetAsync(IReadOnlyList<string> chain)
    {
        if (state.State.Chain.SequenceEqual(chain, StringComparer.Ordinal))
        {
            return;
        }

        state.State.Chain = [.. chain];
        await state.SaveOrDeactivateAsync(this);
    }
}

[GenerateSerializer, Alias("OrleansAgents.DelegationLineageState.v1")]
public sealed class DelegationLineageState
{
    [Id(0)] public List<string> Chain { get; set; } = [];
}
