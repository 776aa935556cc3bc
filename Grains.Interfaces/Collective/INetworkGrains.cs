namespace OrleansAgents.Collective;

/// <summary>
/// One shard (key <c>{n}</c>, n &lt; <see cref="NetworkRules.Shards"/>) of the collaboration network:
/// the edges whose From hashes to it, accumulated as interactions happen.
/// </summary>
[Alias("OrleansAgents.INetworkShardGrain")]
public interface INetworkShardGrain : IGrainWithStringKey
{
    /// <summary>Adds the deltas to their edges; a repeat of a recent <paramref name="eventId"/> is ignored.</summary>
    [Alias("Add")]
    Task AddAsync(string? eventId, IReadOnlyList<NetworkEdge> deltas);

    [Alias("List")]
    ValueTask<IReadOnlyList<NetworkEdge>> ListAsync();
}

/// <summary>Computes the network's analytics from the shards (key: <see cref="NetworkRules.DefaultNetwork"/>) and keeps the community baseline.</summary>
[Alias("OrleansAgents.INetworkAnalyticsGrain")]
public interface INetworkAnalyticsGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CollaborationNetwork> GetAsync(int limit);
}
