using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Agents;

[GenerateSerializer, Alias("OrleansAgents.AgentDirectoryShardState.v1")]
public sealed class AgentDirectoryShardState
{
    /// <summary>Agent ids in ordinal order.</summary>
    [Id(0)] public List<string> AgentIds { get; set; } = [];

    [Id(1)] public Dictionary<string, AgentSummary> Summaries { get; set; } = [];
}

/// <summary>
/// Membership (which ids exist, which are retired) is stored; heartbeat freshness and load are
/// kept in memory only, because agents refresh them every sync interval and storing them would
/// rewrite the shard on every heartbeat.
/// </summary>
public sealed class AgentDirectoryShardGrain(
    [PersistentState("directory", StorageNames.Agents)] IPersistentState<AgentDirectoryShardState> state,
    IOptions<AgentRegistryOptions> options,
    AgentMetrics metrics,
    TimeProvider time) : Grain, IAgentDirectoryShardGrain
{
    private readonly AgentRegistryOptions _options = options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(PublishCountsAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = _options.MetricsInterval,
            Interleave = true,
        });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Withdraw(this.GetPrimaryKeyLong());
        return Task.CompletedTask;
    }

    public async Task UpsertAsync(AgentSummary summary)
    {
        var summaries = state.State.Summaries;
        var membershipChanged = !summaries.TryGetValue(summary.Id, out var known)
            || known.Retired != summary.Retired || known.NeedsHeartbeat != summary.NeedsHeartbeat;
        summaries[summary.Id] = summary;
        if (membershipChanged)
        {
            SortedIds.Insert(state.State.AgentIds, summary.Id);
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<AgentIdPage> ListAsync(string? after, int limit) =>
        ValueTask.FromResult(SortedIds.Page(state.State.AgentIds, after, limit));

    public ValueTask<IReadOnlyList<string>> ListStaleAsync(DateTimeOffset staleBefore, int limit) =>
        ValueTask.FromResult<IReadOnlyList<string>>(
            [.. state.State.Summaries.Values.Where(s => !s.Retired && s.NeedsHeartbeat && s.LastHeartbeatAt < staleBefore).Select(s => s.Id).Order(StringComparer.Ordinal).Take(limit)]);

    public ValueTask<AgentStatusCounts> CountAsync(DateTimeOffset now, TimeSpan heartbeatWindow)
    {
        int idle = 0, busy = 0, unhealthy = 0, retired = 0;
        foreach (var s in state.State.Summaries.Values)
        {
            switch (AgentStatusRules.Derive(s.Retired, s.AtCapacity, s.NeedsHeartbeat, s.LastHeartbeatAt, now, heartbeatWindow))
            {
                case AgentStatus.Idle: idle++; break;
                case AgentStatus.Busy: busy++; break;
                case AgentStatus.Unhealthy: unhealthy++; break;
                default: retired++; break;
            }
        }

        return ValueTask.FromResult(new AgentStatusCounts(idle, busy, unhealthy, retired));
    }

    private async Task PublishCountsAsync(CancellationToken cancellationToken)
    {
        var counts = await CountAsync(time.GetUtcNow(), _options.HeartbeatTimeout);
        metrics.Publish(this.GetPrimaryKeyLong(), counts);
    }
}
