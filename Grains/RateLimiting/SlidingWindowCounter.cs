namespace OrleansAgents.Grains.RateLimiting;

/// <summary>
/// A sliding window as a ring of <c>slots + 1</c> fixed-size slots. It counts every slot that
/// overlaps the last window, including the partly expired oldest one, so it never admits more
/// than the limit in any exact window of that length (it may admit a little less). The running
/// total makes the common question, "how much is used?", O(1); expired slots are dropped once,
/// when the clock enters a new slot.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.SlidingWindowCounter.v1")]
public sealed class SlidingWindowCounter
{
    [Id(0)] public long[] SlotIds { get; set; } = [];
    [Id(1)] public long[] Counts { get; set; } = [];

    /// <summary>Sum of <see cref="Counts"/> over live slots as of <see cref="Head"/>.</summary>
    [Id(2)] public long Total { get; set; }

    /// <summary>The newest slot the counter has been advanced to.</summary>
    [Id(3)] public long Head { get; set; } = long.MinValue;

    public long Used(DateTimeOffset now, TimeSpan window, int slots)
    {
        Advance(SlotOf(now, window, slots), slots);
        return Total;
    }

    public void Add(DateTimeOffset now, TimeSpan window, int slots, long amount)
    {
        var current = SlotOf(now, window, slots);
        Advance(current, slots);
        var i = (int)(current % (slots + 1));
        if (SlotIds[i] != current)
        {
            // Advance already dropped whatever this index held before.
            SlotIds[i] = current;
            Counts[i] = 0;
        }

        Counts[i] += amount;
        Total += amount;
    }

    /// <summary>How long until the window has room for <paramref name="amount"/> more under <paramref name="limit"/>.</summary>
    public TimeSpan TimeUntilRoom(DateTimeOffset now, TimeSpan window, int slots, long limit, long amount)
    {
        if (amount > limit)
        {
            return window;
        }

        var excess = Used(now, window, slots) + amount - limit;
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        // Slots leave the window oldest first: slot k stops counting when slot k + slots + 1 begins.
        var size = window.Ticks / slots;
        foreach (var (id, count) in LiveSlots(slots).OrderBy(s => s.Id))
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
        Advance(SlotOf(now, window, slots), slots);
        var oldest = long.MaxValue;
        for (var i = 0; i < SlotIds.Length; i++)
        {
            if (Counts[i] > 0 && SlotIds[i] < oldest)
            {
                oldest = SlotIds[i];
            }
        }

        return oldest == long.MaxValue ? TimeSpan.Zero : TimeSpan.FromTicks(((oldest + slots + 1) * (window.Ticks / slots)) - now.UtcTicks);
    }

    private IEnumerable<(long Id, long Count)> LiveSlots(int slots)
    {
        for (var i = 0; i < SlotIds.Length; i++)
        {
            if (Counts[i] > 0 && SlotIds[i] >= Head - slots)
            {
                yield return (SlotIds[i], Counts[i]);
            }
        }
    }

    /// <summary>Moves the window to <paramref name="current"/>, dropping slots that left it.</summary>
    private void Advance(long current, int slots)
    {
        if (SlotIds.Length != slots + 1)
        {
            SlotIds = new long[slots + 1];
            Counts = new long[slots + 1];
            Array.Fill(SlotIds, long.MinValue);
            Total = 0;
        }

        if (current <= Head)
        {
            return; // same slot, or a clock that stepped back: keep counting conservatively
        }

        Head = current;
        for (var i = 0; i < SlotIds.Length; i++)
        {
            if (Counts[i] != 0 && SlotIds[i] < current - slots)
            {
                Total -= Counts[i];
                Counts[i] = 0;
            }
        }
    }

    private static long SlotOf(DateTimeOffset now, TimeSpan window, int slots) => now.UtcTicks / (window.Ticks / slots);
}
