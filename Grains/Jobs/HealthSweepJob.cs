using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Agents;

namespace OrleansAgents.Grains.Jobs;

/// <summary>
/// Marks agents whose last heartbeat is older than Agents:HeartbeatTimeout unhealthy, so routed
/// tasks stop going to them until they heartbeat again.
/// </summary>
public sealed class HealthSweepJob(IGrainFactory grains, IOptions<AgentRegistryOptions> options, TimeProvider time) : IPeriodicJob
{
    private const int BatchPerShard = 1000;

    public string Name => JobRules.HealthSweep;

    public async ValueTask<string> RunAsync(CancellationToken cancellationToken)
    {
        var staleBefore = time.GetUtcNow() - options.Value.HeartbeatTimeout;
        int stale = 0, marked = 0;
        for (var shard = 0; shard < AgentRules.DirectoryShards; shard++)
        {
            var ids = await grains.GetGrain<IAgentDirectoryShardGrain>(shard).ListStaleAsync(staleBefore, BatchPerShard);
            stale += ids.Count;
            var results = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAgentGrain>(id).MarkUnhealthyIfStaleAsync(staleBefore)));
            marked += results.Count(r => r);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return $"{stale} agent(s) with stale heartbeats, {marked} newly marked unhealthy.";
    }
}
