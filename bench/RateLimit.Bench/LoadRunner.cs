using System.Diagnostics;

namespace OrleansAgents.Bench;

/// <summary>Closed-loop load: N workers, each issuing one call at a time for a fixed duration.</summary>
internal static class LoadRunner
{
    public static async Task<Result> RunAsync(string name, int concurrency, TimeSpan duration, int users, Func<string, ValueTask<bool>> call)
    {
        var keys = Enumerable.Range(0, users).Select(i => $"user-{i}").ToArray();
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perWorker = new List<long>[concurrency];
        long allowed = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var latencies = perWorker[w] = new List<long>(1 << 16);
            while (Stopwatch.GetTimestamp() < stop)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (await call(keys[random.Next(keys.Length)]))
                {
                    Interlocked.Increment(ref allowed);
                }

                latencies.Add(Stopwatch.GetTimestamp() - t0);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = perWorker.SelectMany(l => l).Order().ToArray();
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        return new Result(name, all.Length, all.Length / elapsed.TotalSeconds, allowed,
            Ms(all[all.Length / 2]), Ms(all[(int)(all.Length * 0.99)]), all.Average(t => Ms(t)));
    }

    public sealed record Result(string Name, long Calls, double PerSecond, long Allowed, double P50Ms, double P99Ms, double MeanMs)
    {
        public override string ToString() =>
            $"{Name,-34} {PerSecond,12:N0}/s  p50 {P50Ms,7:F3} ms  p99 {P99Ms,7:F3} ms  mean {MeanMs,7:F3} ms  ({Calls:N0} calls, {Allowed:N0} allowed)";
    }
}
