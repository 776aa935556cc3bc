using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Bench;

/// <summary>
/// The two load shapes: a fixed offered rate (each submission has a due time; callers never send
/// early, so a slow cluster shows as lag and latency) and a closed loop (callers send back to back).
/// Either way the clock runs on until every agent's queue and slots are empty: finished/s is end to end.
/// </summary>
internal sealed class Loads(HttpClient http, object body, string[] agentIds)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(5);
    private readonly ConcurrentQueue<string> _accepted = new();

    public sealed record Phase(string Name, long Accepted, long Rejected, string? FirstError, double AcceptSeconds, double FinishSeconds,
        double[] LatenciesMs, double MaxLagMs)
    {
        private double P(double p) => LatenciesMs.Length == 0 ? 0 : LatenciesMs[(int)Math.Min(LatenciesMs.Length - 1, p * LatenciesMs.Length)];

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Name}\n  accepted {Accepted / AcceptSeconds:N0}/s ({Accepted:N0} in {AcceptSeconds:0.0} s, {Rejected} rejected), " +
            $"finished {Accepted / FinishSeconds:N0}/s end to end ({FinishSeconds:0.0} s); submit p50 {P(0.5):0.0} ms, p99 {P(0.99):0.0} ms, " +
            $"mean {(LatenciesMs.Length == 0 ? 0 : LatenciesMs.Average()):0.0} ms; max lag behind the offered schedule {MaxLagMs:0} ms");
    }

    public IEnumerable<string> Sample(int count)
    {
        var all = _accepted.ToArray();
        return all.Length == 0 ? [] : Enumerable.Range(0, count).Select(i => all[(int)((long)i * all.Length / count)]).Distinct();
    }

    public Task<Phase> FixedRateAsync(string name, int count, int perSecond, int concurrency)
    {
        var next = -1;
        return RunAsync(name, concurrency, clock =>
        {
            var i = Interlocked.Increment(ref next);
            return i < count ? TimeSpan.FromSeconds(i / (double)perSecond) : null;
        });
    }

    public Task<Phase> ClosedLoopAsync(string name, TimeSpan duration, int concurrency) =>
        RunAsync(name, concurrency, clock => clock.Elapsed < duration ? clock.Elapsed : null);

    /// <summary><paramref name="dueTime"/> gives the next submission's due time, or null when the phase has offered everything.</summary>
    private async Task<Phase> RunAsync(string name, int concurrency, Func<Stopwatch, TimeSpan?> dueTime)
    {
        long accepted = 0, rejected = 0, lastAccept = 0, maxLag = 0;
        string? firstError = null;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            while (dueTime(clock) is { } due)
            {
                if (due - clock.Elapsed is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait);
                }

                InterlockedMax(ref maxLag, (clock.Elapsed - due).Ticks);
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/api/tasks", body);
                mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref accepted);
                    InterlockedMax(ref lastAccept, clock.Elapsed.Ticks);
                    _accepted.Enqueue((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
                }
                else
                {
                    Interlocked.Increment(ref rejected);
                    Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", null);
                }
            }
        })));

        await DrainAsync(clock);
        return new Phase(name, accepted, rejected, firstError, TimeSpan.FromTicks(Math.Max(1, lastAccept)).TotalSeconds, clock.Elapsed.TotalSeconds,
            latencies.SelectMany(l => l).Order().ToArray(), TimeSpan.FromTicks(maxLag).TotalMilliseconds);
    }

    private async Task DrainAsync(Stopwatch clock)
    {
        var limit = clock.Elapsed + DrainLimit;
        while (clock.Elapsed < limit)
        {
            var views = await Task.WhenAll(agentIds.Select(id => http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}")));
            if (views.All(v => (int?)v?["queuedTasks"] == 0 && (int?)v?["runningTasks"] == 0))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the agents still had queued or running tasks after {DrainLimit}");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}
