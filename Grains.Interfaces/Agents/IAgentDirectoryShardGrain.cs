namespace OrleansAgents.Agents;

/// <summary>
/// One of <see cref="AgentRules.DirectoryShards"/> shards of the list of every agent (key: shard
/// number). Listing without a capability and the per-status gauge read these, so neither
/// needs a singleton.
/// </summary>
[Alias("OrleansAgents.IAgentDirectoryShardGrain")]
public interface IAgentDirectoryShardGrain : IGrainWithIntegerKey
{
    [Alias("Upsert")]
    Task UpsertAsync(AgentSummary summary);

    [Alias("List")]
    ValueTask<AgentIdPage> ListAsync(string? after, int limit);

    /// <summary>Live agents whose last heartbeat this shard heard is older than <paramref name="staleBefore"/>.</summary>
    [Alias("ListStale")]
    ValueTask<IReadOnlyList<string>> ListStaleAsync(DateTimeOffset staleBefore, int limit);

    [Alias("Count")]
    ValueTask<AgentStatusCounts> CountAsync(DateTimeOffset now, TimeSpan heartbeatWindow);
}
