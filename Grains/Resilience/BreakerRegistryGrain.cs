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

    public ValueTask<bool> ContainsAsync(string name) => ValueTask.FromResult(state.State.Names.BinarySearch(name, StringComparer.Ordinal) >= 0);

    // The fan-outs interleave (see the interface): they work on a copy of the names and write nothing.
    public Task<IReadOnlyList<BreakerView>> ListViewsAsync() => FanOutAsync(b => b.GetAsync().AsTask());

    public Task<IReadOnlyList<BreakerView>> CloseAllAsync(string reason) => FanOutAsync(b => b.CloseAsync(reason));

    private async Task<IReadOnlyList<BreakerView>> FanOutAsync(Func<ICircuitBreakerGrain, Task<BreakerView>> call)
    {
        var names = state.State.Names.ToArray();
        var views = new List<BreakerView>(names.Length);
        foreach (var batch in names.Chunk(FanOutBatch))
        {
            views.AddRange(await Task.WhenAll(batch.Select(n => call(GrainFactory.GetGrain<ICircuitBreakerGrain>(n)))));
        }

        return views;
    }

    /// <summary>Breakers called at once by a fan-out: bounded, so a large registry does not flood the cluster.</summary>
    private const int FanOutBatch = 64;
}
