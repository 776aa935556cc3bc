using Microsoft.Extensions.Options;
using OrleansAgents.Collective;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Collective;

[GenerateSerializer, Alias("OrleansAgents.NetworkShardState.v1")]
public sealed class NetworkShardState
{
    /// <summary>Key: <c>{kind}|{from}|{to}</c>; value: [weight, positive, negative].</summary>
    [Id(0)] public Dictionary<string, double[]> Edges { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Recent event ids, oldest first (bounded by Collective:RecentEventsPerShard).</summary>
    [Id(1)] public List<string> RecentEvents { get; set; } = [];
}

/// <summary>A shard of the network's edges, updated as interactions happen and written on every change.</summary>
public sealed class NetworkShardGrain(
    [PersistentState("network-shard", StorageNames.Collective)] IPersistentState<NetworkShardState> state,
    IOptions<CollectiveOptions> options) : Grain, INetworkShardGrain
{
    private RecentEventIds? _recent;
    private IReadOnlyList<NetworkEdge>? _list;

    public async Task AddAsync(string? eventId, IReadOnlyList<NetworkEdge> deltas)
    {
        _recent ??= new RecentEventIds(state.State.RecentEvents);
        if (eventId is not null && !_recent.Remember(eventId, options.Value.RecentEventsPerShard))
        {
            return;
        }

        foreach (var d in deltas)
        {
            var key = (int)d.Kind + "|" + d.From + "|" + d.To;
            var edge = state.State.Edges.TryGetValue(key, out var e) ? e : state.State.Edges[key] = new double[3];
            edge[0] += d.Weight;
            edge[1] += d.Positive;
            edge[2] += d.Negative;
        }

        _list = null;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory now holds changes (and an event id) storage does not: start again from what is stored.
            DeactivateOnIdle();
            throw;
        }
    }

    public ValueTask<IReadOnlyList<NetworkEdge>> ListAsync()
    {
        _list ??= [.. state.State.Edges.Select(e =>
        {
            var parts = e.Key.Split('|');
            return new NetworkEdge(parts[1], parts[2], (NetworkEdgeKind)int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), e.Value[0], e.Value[1], e.Value[2]);
        })];
        return ValueTask.FromResult(_list);
    }
}
