namespace OrleansAgents.Grains.RateLimiting;

/// <summary>
/// A sliding window as a ring of <c>slots + 1</c> fixed-size slots. It counts every slot that
/// overlaps the last window, including the partly expired oldest one, so it never admits more
/// than the limit in any exact window of that length (it may admit a little less). Slot ids are
/// implied by <see cref="Head"/> (the live ids are Head - slots .. Head, one per ring index), so the
/// stored state is just the counts, the total and the head: small enough to checkpoint often.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.SlidingWindowCounter.v2")]
public sealed class SlidingWindowCounter
{
    [Id(0)] public long[] Counts { get; set; } = [];

    /// <summary>Sum of <see cref="Counts"/>: the use inside the window as of <see cref="Head"/>.</summary>
    [Id(1)] public long Total { get; set; }

    /// <summary>The newest slot the counter has been advanced to.</summary>
    [Id(2)] public long Head { get; set; } = long.MinValue;

    public long Used(DateTimeOffset now, TimeSpan window, int slots)
    {
        Advance(SlotOf(now, window, slots), slots);
        return Total;
    }

    public void Add(DateTimeOffset now, TimeSpan window, int slots, long amount)
    {
        var current = SlotOf(now, window, slots);
        Advance(current, slots);
        // A clock that stepped back adds to the newest slot: conservative, never lost.
        Counts[(int)(Math.Max(current, Head) % (slots + 1))] += amount;
        Total += amount;
    }

    /// <summary>
    /// Takes back up to <paramref name="amount"/> added at <paramref name="addedAt"/> from that
    /// same slot, so the slot's count stays true when it later leaves the window; nothing once it has.
    /// </summary>
    public void Remove(DateTimeOffset now, DateTimeOffset addedAt, TimeSpan window, int slots, long amount)
    {
        Advance(SlotOf(now, window, slots), slots);
        var slot = SlotOf(addedAt, window, slots);
        if (slot < Head - slots || slot > Head)
        {
            return;
        }

        var i = (int)(slot % (slots + 1));
        var taken = Math.Min(amount, Counts[i]);
        Counts[i] -= taken;
        Total -= taken;
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
        for (var id = Head - slots; id <= Head; id++)
        {
            excess -= Counts[(int)(id % (slots + 1))];
            if (excess <= 0)
            {
                return Until(id, now, window, slots);
            }
        }

        return window;
    }

    /// <summary>When the oldest counted use leaves the window (zero when nothing is counted).</summary>
    public TimeSpan ResetAfter(DateTimeOffset now, TimeSpan window, int slots)
    {
        Advance(SlotOf(now, window, slots), slots);
        for (var id = Head - slots; Total > 0 && id <= Head; id++)
        {
            if (Counts[(int)(id % (slots + 1))] > 0)
            {
                return Until(id, now, window, slots);
            }
        }

        return TimeSpan.Zero;
    }

    private static TimeSpan Until(long slotId, DateTimeOffset now, TimeSpan window, int slots) =>
        TimeSpan.FromTicks(((slotId + slots + 1) * (window.Ticks / slots)) - now.UtcTicks);

    /// <summary>Moves the window to <paramref name="current"/>, dropping the slots that left it.</summary>
    private void Advance(long current, int slots)
    {
        var n = slots + 1;
        if (Counts.Length != n || Head == long.MinValue)
        {
            Counts = new long[n];
            Total = 0;
            Head = current;
            return;
        }

        if (current <= Head)
        {
            return;
        }

        if (current - Head >= n)
        {
            Array.Clear(Counts);
            Total = 0;
        }
        else
        {
            for (var id = Head + 1; id <= current; id++)
            {
                var i = (int)(id % n);
                Total -= Counts[i];
                Counts[i] = 0;
            }
        }

        Head = current;
    }

    private static long SlotOf(DateTimeOffset now, TimeSpan window, int slots) => now.UtcTicks / (window.Ticks / slots);
}
