namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// Successes and failures over the sampling duration, in ten buckets, like Polly's rolling health
/// metrics. Kept in memory only: after a breaker moves to another silo it starts a new window.
/// </summary>
internal sealed class RollingWindow
{
    private const int Buckets = 10;
    private readonly long[] _bucketIds = new long[Buckets];
    private readonly int[] _successes = new int[Buckets];
    private readonly int[] _failures = new int[Buckets];

    public RollingWindow() => Array.Fill(_bucketIds, long.MinValue);

    public void Add(DateTimeOffset now, TimeSpan duration, int successes, int failures)
    {
        var id = now.UtcTicks / (duration.Ticks / Buckets);
        var i = (int)(id % Buckets);
        if (_bucketIds[i] != id)
        {
            _bucketIds[i] = id;
            _successes[i] = 0;
            _failures[i] = 0;
        }

        _successes[i] += successes;
        _failures[i] += failures;
    }

    public (int Throughput, double FailureRatio) Measure(DateTimeOffset now, TimeSpan duration)
    {
        var current = now.UtcTicks / (duration.Ticks / Buckets);
        int ok = 0, failed = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (_bucketIds[i] > current - Buckets && _bucketIds[i] <= current)
            {
                ok += _successes[i];
                failed += _failures[i];
            }
        }

        var total = ok + failed;
        return (total, total == 0 ? 0 : (double)failed / total);
    }

    public void Clear() => Array.Fill(_bucketIds, long.MinValue);
}
