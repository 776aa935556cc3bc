using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// The task log of embedded silos and test clusters: one dictionary per agent, trimmed to the
/// retention on each write. Lost with the process, like the rest of an embedded silo's state.
/// </summary>
public sealed class InMemoryTaskLog(IOptions<TaskOptions> options) : ITaskLog
{
    private readonly ConcurrentDictionary<string, AgentTasks> _agents = new(StringComparer.Ordinal);

    public Task UpsertAsync(TaskSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        _agents.GetOrAdd(summary.AgentId, _ => new AgentTasks()).Upsert(summary, options.Value.LogRetention);
        return Task.CompletedTask;
    }

    public Task<TaskSummaryPage> ListAsync(string agentId, TaskState? state, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var items = _agents.TryGetValue(agentId, out var tasks) ? tasks.Snapshot() : [];
        var filtered = items.Where(t => state is null || t.State == state);
        return Task.FromResult(TaskListing.Page(TaskListing.NewestFirst(filtered), limit, cursor));
    }

    private sealed class AgentTasks
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, TaskSummary> _tasks = new(StringComparer.Ordinal);
        private int _finished;

        public void Upsert(TaskSummary summary, int retention)
        {
            lock (_gate)
            {
                if (_tasks.TryGetValue(summary.Id, out var held))
                {
                    if (held.Version >= summary.Version)
                    {
                        return;
                    }

                    _finished -= TaskRules.IsFinished(held.State) ? 1 : 0;
                }

                _tasks[summary.Id] = summary;
                _finished += TaskRules.IsFinished(summary.State) ? 1 : 0;
                while (_finished > retention)
                {
                    var oldest = _tasks.Values.Where(t => TaskRules.IsFinished(t.State)).MinBy(t => t.UpdatedAt)!;
                    _tasks.Remove(oldest.Id);
                    _finished--;
                }
            }
        }

        public TaskSummary[] Snapshot()
        {
            lock (_gate)
            {
                return [.. _tasks.Values];
            }
        }
    }
}
