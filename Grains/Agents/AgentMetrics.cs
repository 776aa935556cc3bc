using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansAgents.Grains.Agents;

/// <summary>
/// Per-silo gauge of registered agents by status, exported as <c>orleansagents_agents_registered{status}</c>. Each directory shard publishes its counts to
/// the silo it is active on, so summing the gauge over silos gives the cluster total and no
/// shard is counted twice.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Agents";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<long, AgentStatusCounts> _byShard = new();

    public AgentMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("registered", Observe, unit: "{agent}",
            description: "Registered agents by status, as counted by the directory shards active on this silo.");
    }

    public void Publish(long shard, AgentStatusCounts counts) => _byShard[shard] = counts;

    public void Withdraw(long shard) => _byShard.TryRemove(shard, out _);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> Observe()
    {
        int idle = 0, busy = 0, unhealthy = 0, retired = 0;
        foreach (var c in _byShard.Values)
        {
            idle += c.Idle;
            busy += c.Busy;
            unhealthy += c.Unhealthy;
            retired += c.Retired;
        }

        yield return new(idle, new KeyValuePair<string, object?>("status", "idle"));
        yield return new(busy, new KeyValuePair<string, object?>("status", "busy"));
        yield return new(unhealthy, new KeyValuePair<string, object?>("status", "unhealthy"));
        yield return new(retired, new KeyValuePair<string, object?>("status", "retired"));
    }
}
