namespace OrleansAgents.Grains.RateLimiting;

/// <summary>
/// A sliding window as a ring of <c>slots + 1</c> fixed-size slots. It counts every slot that
/// overlaps the last window, including the partly expired oldest one, so it never admits more
/// than the limit in any exact window of that length (it may admit a little less).
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.SlidingWindowCounter.v1")]
public sealed class SlidingWindowCounter
{
    [Id(0)] public long[] SlotIds { get; set; } = [];
    [Id(1)] public long[] Counts { get; set; } = [];

    public long Used(DateTimeOffset now, TimeSpan window, int slots)
    {
        var (current, _) = Slot(now, window, slots);
        long used = 0;
        for (var i = 0; i < SlotIds.Length; i++)
        {
            if (SlotIds[i] >= current - slots && SlotIds[i] <= current)
            {
                used += Counts[i];
            }
        }

        return used;
    }

    public void Add(DateTimeOffset now, TimeSpan window, int slots, long amount)
    {
        if (SlotIds.Length != slots + 1)
        {
            SlotIds = new long[slots + 1];
            Counts = new long[slots + 1];
            Array.Fill(SlotIds, long.MinValue);
        }

        var (current, _) = Slot(now, window, slots);
        var i = (int)(current % (slots + 1));
        if (SlotIds[i] != current)
        {
            SlotIds[i] = current;
            Counts[i] = 0;
        }

        Counts[i] += amount;
    }

    /// <summary>How long until the window has room for <paramref name="amount"/> more under <paramref name="limit"/>.</summary>
    public TimeSpan TimeUntilRoom(DateTimeOffset now, TimeSpan window, int slots, long limit, long amount)
    {
        if (amount > limit)
        {
            return window;
        }

        var (current, size) = Slot(now, window, slots);
        var excess = Used(now, window, slots) + amount - limit;
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        // Slots leave the window oldest first: slot k stops counting when slot k + slots + 1 begins.
        foreach (var (id, count) in Live(current, slots).OrderBy(s => s.Id))
        {
            excess -= count;
            if (excess <= 0)
            {
                return TimeSpan.FromTicks(((id + slots + 1) * size) - now.UtcTicks);
            }
        }

        return window;
    }

    /// <summary>When the oldest counted use leaves the window (zero when nothing is counted).</summary>
    public TimeSpan ResetAfter(DateTimeOffset now, TimeSpan window, int slots)
    {
        var (current, size) = Slot(now, window, slots);
        var live = Live(current, slots).Where(s => s.Count > 0).ToList();
        return live.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(((live.Min(s => s.Id) + slots + 1) * size) - now.UtcTicks);
    }

    private IEnumerable<(long Id, long Count)> Live(long current, int slots)
    {
        for (var i = 0; i < SlotIds.Length; i++)
        {
            if (SlotIds[i] >= current - slots && SlotIds[i] <= current)
            {
                yield return (SlotIds[i], Counts[i]);
            }
        }
    }

    private static (long Current, long SizeTicks) Slot(DateTimeOffset now, TimeSpan window, int slots)
    {
        var size = window.Ticks / slots;
        return (now.UtcTicks / size, size);
    }
}
