using OrleansAgents.Collective;

namespace OrleansAgents.Grains.Collective;

/// <summary>Hands edge deltas to the shards that own them (by From), one call per shard.</summary>
public static class NetworkRecorder
{
    public static Task AddAsync(IGrainFactory grains, string? eventId, IReadOnlyList<NetworkEdge> deltas) =>
        Task.WhenAll(deltas.GroupBy(d => NetworkRules.ShardOf(d.From)).Select(g =>
            grains.GetGrain<INetworkShardGrain>(g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)).AddAsync(eventId, [.. g])));

    /// <summary>Agents only: virtual peers such as the users' peer (ids starting with '@') are not part of the network.</summary>
    public static bool IsAgent(string id) => AgentRules.IsValidId(id);
}
