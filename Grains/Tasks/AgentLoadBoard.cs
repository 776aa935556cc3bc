using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// A silo's view of the agents' loads, for routing. Each decision used to ask every candidate
/// agent for its load: a grain call per agent per task (12 calls and 12 replies per task in the
/// cluster bench, up to <see cref="TaskOptions.RouteScanBudget"/>), most of them to other silos.
/// Now a silo asks an agent at most once per <see cref="TaskOptions.LoadCacheDuration"/>; the
/// load an agent answers an enqueue with (its queue just after) replaces what the board held;
/// and each task this silo sends an agent counts as queued there until that answer arrives, so
/// decisions between refreshes spread the work instead of all picking the agent that looked
/// idlest.
/// </summary>
/// <remarks>
/// Stale by design, within bounds: a load is at most <see cref="TaskOptions.LoadCacheDuration"/>
/// old unless this silo's own enqueues refreshed it. An agent that stopped accepting meanwhile
/// (retired, queue full) refuses the enqueue, the task goes to the next candidate and the board
/// forgets the agent, so staleness costs a call, never a wrong placement. Slots freed on other
/// silos' behalf show after the next refresh. Entries are a few hundred bytes per agent routed to.
/// </remarks>
public sealed class AgentLoadBoard(IGrainFactory grains, IOptions<TaskOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<AgentLoad>>> _fetching = new(StringComparer.Ordinal);

    /// <summary>Grain calls made to read loads (refreshes); tests count them.</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    private long _fetches;

    /// <summary>The loads of <paramref name="agentIds"/>, each fresh within the cache duration, with this silo's unconfirmed enqueues counted as queued.</summary>
    public async ValueTask<AgentLoad[]> LoadsAsync(IReadOnlyList<string> agentIds)
    {
        var now = time.GetUtcNow();
        var maxAge = options.Value.LoadCacheDuration;
        var loads = new AgentLoad[agentIds.Count];
        List<(int Index, Task<AgentLoad> Load)>? stale = null;
        for (var i = 0; i < agentIds.Count; i++)
        {
            if (_entries.TryGetValue(agentIds[i], out var entry) && now - entry.At < maxAge)
            {
                loads[i] = entry.Current;
            }
            else
            {
                (stale ??= []).Add((i, FetchAsync(agentIds[i])));
            }
        }

        if (stale is not null)
        {
            await Task.WhenAll(stale.Select(s => s.Load));
            foreach (var (index, load) in stale)
            {
                loads[index] = _entries.TryGetValue(agentIds[index], out var entry) ? entry.Current : await load;
            }
        }

        return loads;
    }

    /// <summary>A task was sent to the agent: counted as queued there until the agent's answer is observed.</summary>
    public void Routed(string agentId)
    {
        if (_entries.TryGetValue(agentId, out var entry))
        {
            Interlocked.Increment(ref entry.Pending);
        }
    }

    /// <summary>What the agent answered (an enqueue's load): replaces the board's entry.</summary>
    public void Observe(AgentLoad load) => _entries[load.AgentId] = new Entry(load, time.GetUtcNow());

    /// <summary>The agent refused work: read it again on the next decision.</summary>
    public void Forget(string agentId) => _entries.TryRemove(agentId, out _);

    /// <summary>One read per agent at a time on this silo; decisions that need it meanwhile share it.</summary>
    private Task<AgentLoad> FetchAsync(string agentId) =>
        _fetching.GetOrAdd(agentId, static (id, board) => new Lazy<Task<AgentLoad>>(() => board.ReadAsync(id)), this).Value;

    private async Task<AgentLoad> ReadAsync(string agentId)
    {
        try
        {
            Interlocked.Increment(ref _fetches);
            var load = await grains.GetGrain<IAgentGrain>(agentId).GetLoadAsync();
            Observe(load);
            return load;
        }
        finally
        {
            _fetching.TryRemove(agentId, out _);
        }
    }

    private sealed class Entry(AgentLoad load, DateTimeOffset at)
    {
        public int Pending;

        public DateTimeOffset At { get; } = at;

        /// <summary>The observed load plus the tasks this silo sent since, which the agent queues or starts.</summary>
        public AgentLoad Current
        {
            get
            {
                var pending = Volatile.Read(ref Pending);
                if (pending == 0)
                {
                    return load;
                }

                var queued = load.Queued + pending;
                return load with { Queued = queued, Accepting = load.Accepting && queued < load.QueueCapacity };
            }
        }
    }
}
