using OrleansAgents.Grains.Hosting;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>The peers of a domain, spread over <see cref="TrustRules.DirectoryShards"/> shards by a stable hash.</summary>
public static class TrustDirectory
{
    public static int ShardOf(string peer) => OrleansAgents.Agents.AgentRules.DirectoryShardOf(peer) % TrustRules.DirectoryShards;

    public static ITrustDirectoryShardGrain Shard(IGrainFactory grains, string domain, int shard) =>
        grains.GetGrain<ITrustDirectoryShardGrain>(domain + "/" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static Task AddAsync(IGrainFactory grains, string domain, IEnumerable<string> peers) =>
        Task.WhenAll(peers.GroupBy(ShardOf).Select(g => Shard(grains, domain, g.Key).AddAsync([.. g])));

    /// <summary>Every peer of the domain, in ordinal order.</summary>
    public static async Task<List<string>> ListAsync(IGrainFactory grains, string domain)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, TrustRules.DirectoryShards).Select(s => Shard(grains, domain, s).ListAsync().AsTask()));
        var all = shards.SelectMany(s => s).ToList();
        all.Sort(StringComparer.Ordinal);
        return all;
    }
}

[GenerateSerializer, Alias("OrleansAgents.TrustDirectoryShardState.v1")]
public sealed class TrustDirectoryShardState
{
    [Id(0)] public HashSet<string> Peers { get; set; } = new(StringComparer.Ordinal);
}

public sealed class TrustDirectoryShardGrain(
    [PersistentState("trust-directory", StorageNames.Collective)] IPersistentState<TrustDirectoryShardState> state)
    : Grain, ITrustDirectoryShardGrain
{
    public async Task AddAsync(IReadOnlyList<string> peers)
    {
        var added = false;
        foreach (var peer in peers)
        {
            added |= state.State.Peers.Add(peer);
        }

        if (added)
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListAsync() => ValueTask.FromResult<IReadOnlyList<string>>([.. state.State.Peers]);
}
