using System.Collections.Concurrent;

namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// Group commit across the grains of a silo for calls that take a batch: items sent to the same
/// key while a call for that key is in flight go together in the next call (at most
/// <paramref name="maxBatch"/> each), and each sender's task completes with the call that carried
/// its item (or fails with it). An idle key sends at once, so nothing waits for a timer. Used
/// where many grains send one item each to the same hot grain (every finished task rating the
/// users' trust row). Nothing maintained coalesces calls of independent callers like this, hence
/// this small class; it is thread-safe and sends from the thread pool, never from a caller's
/// grain context, so a sender's activation may go away while its item is in flight.
/// </summary>
public sealed class CallCoalescer<TItem>(Func<string, IReadOnlyList<TItem>, Task> send, int maxBatch)
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Calls made (each carrying one or more items), for tests and benches.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    private long _calls;

    public Task SendAsync(string key, TItem item)
    {
        var lane = _lanes.GetOrAdd(key, static k => new Lane(k));
        var pending = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (lane.Gate)
        {
            lane.Queue.Add(pending);
            start = !lane.Sending;
            lane.Sending = true;
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(lane));
        }

        return pending.Done.Task;
    }

    private async Task DrainAsync(Lane lane)
    {
        while (true)
        {
            List<Pending> batch;
            lock (lane.Gate)
            {
                if (lane.Queue.Count == 0)
                {
                    lane.Sending = false;
                    return;
                }

                var take = Math.Min(maxBatch, lane.Queue.Count);
                batch = lane.Queue.GetRange(0, take);
                lane.Queue.RemoveRange(0, take);
            }

            try
            {
                Interlocked.Increment(ref _calls);
                await send(lane.Key, [.. batch.Select(p => p.Item)]);
                foreach (var p in batch)
                {
                    p.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var p in batch)
                {
                    p.Done.TrySetException(ex);
                }
            }
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource Done);

    /// <summary>One per key ever sent to (keys here are trust rows: raters, bounded by the agents).</summary>
    private sealed class Lane(string key)
    {
        public Lock Gate { get; } = new();

        public string Key { get; } = key;

        public List<Pending> Queue { get; } = [];

        public bool Sending { get; set; }
    }
}
