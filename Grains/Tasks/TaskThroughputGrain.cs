using OrleansAgents.Tasks;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Keeps each silo's reported totals for a minute and answers rates from them (see
/// <see cref="ITaskThroughputGrain"/>). Totals, not deltas: a lost report costs nothing, and a silo
/// that restarted (a new start time) starts a new series.
/// </summary>
public sealed class TaskThroughputGrain(TimeProvider time) : Grain, ITaskThroughputGrain
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Series> _silos = new(StringComparer.Ordinal);

    public Task ReportAsync(string silo, DateTimeOffset startedAt, long finished, long succeeded)
    {
        var now = time.GetUtcNow();
        if (!_silos.TryGetValue(silo, out var series) || series.StartedAt != startedAt)
        {
            series = new Series(startedAt);
            _silos[silo] = series;
        }

        series.Samples.Enqueue(new TaskThroughput.Sample(now, finished, succeeded));
        Forget(now);
        return Task.CompletedTask;
    }

    public ValueTask<TaskThroughputView> GetAsync()
    {
        var now = time.GetUtcNow();
        Forget(now);
        return ValueTask.FromResult(TaskThroughput.Rates(now, _silos.Values.Select(s => (s.StartedAt, (IReadOnlyList<TaskThroughput.Sample>)[.. s.Samples]))));
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (silo, series) in _silos.ToList())
        {
            while (series.Samples.TryPeek(out var oldest) && oldest.At < now - Window - TaskThroughput.ReportInterval)
            {
                series.Samples.Dequeue();
            }

            if (series.Samples.Count == 0)
            {
                _silos.Remove(silo);
            }
        }
    }

    private sealed class Series(DateTimeOffset startedAt)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;

        public Queue<TaskThroughput.Sample> Samples { get; } = new();
    }
}

/// <summary>The rate arithmetic, apart from the grain so it is tested without a cluster.</summary>
public static class TaskThroughput
{
    /// <summary>How often a silo reports its totals.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    /// <summary>A silo's totals as reported at a moment.</summary>
    public readonly record struct Sample(DateTimeOffset At, long Finished, long Succeeded);

    /// <summary>
    /// Per silo: (newest − oldest sample within the window) / the time between them, where a silo that
    /// started within the window counts from its start (its totals were 0 then); the cluster's rate is
    /// the sum over silos. A silo whose newest sample is older than two report intervals is gone and
    /// not counted.
    /// </summary>
    public static TaskThroughputView Rates(DateTimeOffset now, IEnumerable<(DateTimeOffset StartedAt, IReadOnlyList<Sample> Samples)> silos)
    {
        var from = now - TaskThroughputGrain.Window - ReportInterval;
        double finished = 0, succeeded = 0, window = 0;
        var counted = 0;
        foreach (var (startedAt, samples) in silos)
        {
            if (samples.Count == 0 || samples[^1].At < now - (2 * ReportInterval))
            {
                continue;
            }

            counted++;
            var first = startedAt >= from ? new Sample(startedAt, 0, 0) : samples.First(s => s.At >= from);
            var last = samples[^1];
            var span = (last.At - first.At).TotalSeconds;
            if (span <= 0)
            {
                continue;
            }

            finished += (last.Finished - first.Finished) / span;
            succeeded += (last.Succeeded - first.Succeeded) / span;
            window = Math.Max(window, span);
        }

        return new TaskThroughputView(Math.Round(finished, 2), Math.Round(succeeded, 2), Math.Round(window, 1), counted, now);
    }
}
