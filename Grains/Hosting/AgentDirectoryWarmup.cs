using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Agents;

namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// Activates every directory shard once the silo is up, so the per-status gauge counts agents
/// that nobody has touched since a restart (a retired agent, say). Taking <see cref="AgentMetrics"/>
/// creates the gauge on every silo, so each one exports it (with zeros where it hosts no shard).
/// </summary>
internal sealed partial class AgentDirectoryWarmup(IGrainFactory grains, AgentMetrics metrics, ILogger<AgentDirectoryWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GC.KeepAlive(metrics);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, AgentRules.DirectoryShards)
                .Select(s => grains.GetGrain<IAgentDirectoryShardGrain>(s).ListAsync(null, 0).AsTask()));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Not fatal: shards activate on first use anyway; only the gauge is late.
            LogWarmupFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not activate the agent directory shards at start-up")]
    private partial void LogWarmupFailed(Exception exception);
}
