using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Resilience;

[GenerateSerializer, Alias("OrleansAgents.BreakerRegistryState.v1")]
public sealed class BreakerRegistryState
{
    [Id(0)] public List<string> Names { get; set; } = [];
}

/// <summary>
/// Every breaker name ever used, for listing. A breaker registers once, on its first activation;
/// no call path goes through here.
/// </summary>
public sealed class BreakerRegistryGrain(
    [PersistentState("breakers", StorageNames.Breakers)] IPersistentState<BreakerRegistryState> state) : Grain, IBreakerRegistryGrain
{
    public async Task AddAsync(string name)
    {
        if (SortedIds.Insert(state.State.Names, name))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListAsync() => ValueTask.FromResult<IReadOnlyList<string>>(state.State.Names.ToArray());
}
