using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Exported through prometheus-net as <c>orleansagents_tasks_*</c>:
/// <c>duration_seconds{skill,outcome}</c> (histogram, first start to finish),
/// <c>entered{state}</c> (tasks reaching each state), <c>retries{skill}</c>,
/// <c>queue_depth{priority}</c> and <c>running</c> (agents activated on this silo: sum over silos),
/// <c>dead_letters</c> (size of the dead-letter list, from the silo hosting it),
/// <c>log_rows</c> and <c>log_writes</c> (task log rows stored and the statements that stored them:
/// their ratio is the batching a durable silo achieves).
/// </summary>
public sealed class TaskMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Tasks";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<TaskState, long> _entered = new();
    private readonly ConcurrentDictionary<string, long> _retries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int High, int Default, int Low, int Running)> _queues = new(StringComparer.Ordinal);
    // Each dead-letter shard publishes its own count; the gauge is their sum.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> _deadLetters = new();
    private long _logRows;
    private long _logWrites;

    public TaskMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _duration = _meter.CreateHistogram<double>("duration_seconds", "s", "Task duration from first start to finish, by skill and outcome.");
        _meter.CreateObservableCounter("entered", () => _entered.Select(e =>
            new Measurement<long>(e.Value, new KeyValuePair<string, object?>("state", Label(e.Key)))),
            "{task}", "Tasks that reached each state.");
        _meter.CreateObservableCounter("retries", () => _retries.Select(r =>
            new Measurement<long>(r.Value, new KeyValuePair<string, object?>("skill", r.Key))),
            "{retry}", "Attempts scheduled after a transient failure, by skill.");
        _meter.CreateObservableGauge("queue_depth", ObserveQueues, "{task}", "Queued tasks of the agents active on this silo, by priority.");
        _meter.CreateObservableGauge("running", () => _queues.Values.Sum(q => q.Running), "{task}", "Tasks holding a slot of an agent active on this silo.");
        _meter.CreateObservableGauge("dead_letters", () => _deadLetters.IsEmpty ? Array.Empty<Measurement<int>>() : [new Measurement<int>(_deadLetters.Values.Sum())],
            "{task}", "Tasks in the dead-letter list.");
        _meter.CreateObservableCounter("log_rows", () => Interlocked.Read(ref _logRows), "{row}", "Task log rows stored in PostgreSQL by this silo.");
        _meter.CreateObservableCounter("log_writes", () => Interlocked.Read(ref _logWrites), "{statement}", "Statements that stored the task log rows (one per batch).");
    }

    /// <summary>One statement stored <paramref name="rows"/> task log rows.</summary>
    public void LogWritten(int rows)
    {
        Interlocked.Add(ref _logRows, rows);
        Interlocked.Increment(ref _logWrites);
    }

    /// <summary>Task log rows and statements this silo stored since it started.</summary>
    public (long Rows, long Writes) LogTotals() => (Interlocked.Read(ref _logRows), Interlocked.Read(ref _logWrites));

    public static string Label(TaskState state) => state == TaskState.DeadLettered ? "dead-lettered" : state.ToString().ToLowerInvariant();

    public void Entered(TaskState state) => _entered.AddOrUpdate(state, 1, (_, n) => n + 1);

    /// <summary>Tasks this silo saw finish (succeeded, failed, cancelled, dead-lettered) since it started, and of those succeeded.</summary>
    public (long Finished, long Succeeded) FinishedTotals()
    {
        long Count(TaskState state) => _entered.TryGetValue(state, out var n) ? n : 0;
        var succeeded = Count(TaskState.Succeeded);
        return (succeeded + Count(TaskState.Failed) + Count(TaskState.Cancelled) + Count(TaskState.DeadLettered), succeeded);
    }

    public void Retried(string skill) => _retries.AddOrUpdate(skill, 1, (_, n) => n + 1);

    public void Finished(string skill, TaskState outcome, TimeSpan duration) =>
        _duration.Record(Math.Max(0, duration.TotalSeconds),
            new KeyValuePair<string, object?>("skill", skill), new KeyValuePair<string, object?>("outcome", Label(outcome)));

    public void PublishQueueDepth(string agentId, int high, int normal, int low, int running) => _queues[agentId] = (high, normal, low, running);

    public void WithdrawQueueDepth(string agentId) => _queues.TryRemove(agentId, out _);

    public void PublishDeadLetters(long shard, int count) => _deadLetters[shard] = count;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveQueues()
    {
        int high = 0, normal = 0, low = 0;
        foreach (var q in _queues.Values)
        {
            high += q.High;
            normal += q.Default;
            low += q.Low;
        }

        yield return new(high, new KeyValuePair<string, object?>("priority", "high"));
        yield return new(normal, new KeyValuePair<string, object?>("priority", "default"));
        yield return new(low, new KeyValuePair<string, object?>("priority", "low"));
    }
}
