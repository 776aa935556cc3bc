namespace OrleansAgents.Grains.RateLimiting;

/// <summary>Stored with the Orleans serializer: never renumber an [Id] or change the alias.</summary>
[GenerateSerializer, Alias("OrleansAgents.RateLimitBucketState.v2")]
public sealed class RateLimitBucketState
{
    /// <summary>Null means the configured default tier.</summary>
    [Id(0)] public string? Tier { get; set; }

    /// <summary>Tokens in the minute bucket; NaN until first use (then it starts full).</summary>
    [Id(1)] public double MinuteTokens { get; set; } = double.NaN;

    [Id(2)] public DateTimeOffset MinuteRefilledAt { get; set; }

    [Id(3)] public SlidingWindowCounter Hour { get; set; } = new();

    [Id(4)] public SlidingWindowCounter Day { get; set; } = new();

    [Id(5)] public SlidingWindowCounter AiTokens { get; set; } = new();
}

/// <summary>
/// The decision rules over a <see cref="RateLimitBucketState"/>: a token bucket with burst for the
/// minute, sliding windows for hour and day, and a daily AI-token quota charged after the fact.
/// Pure: the caller supplies the clock and the limits.
/// </summary>
public static class RateLimitBucket
{
    public static readonly TimeSpan MinuteWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan HourWindow = TimeSpan.FromHours(1);
    public static readonly TimeSpan DayWindow = TimeSpan.FromDays(1);

    // Hour in 5-minute slots, day and tokens in 1-hour slots: a used-up window frees in slot-sized
    // steps, and the whole bucket stays a few hundred bytes to checkpoint.
    public const int HourSlots = 12;
    public const int DaySlots = 24;

    public static RateLimitDecision Decide(RateLimitBucketState s, TierLimits limits, string tier, RateLimitRequest request, DateTimeOffset now)
    {
        Refill(s, limits, now);
        var cost = request.Cost;
        var fits = s.MinuteTokens >= cost
            && s.Hour.Used(now, HourWindow, HourSlots) + cost <= limits.PerHour
            && s.Day.Used(now, DayWindow, DaySlots) + cost <= limits.PerDay
            && (!request.UsesAiTokens || s.AiTokens.Used(now, DayWindow, DaySlots) < limits.AiTokensPerDay);
        if (fits)
        {
            s.MinuteTokens -= cost;
            s.Hour.Add(now, HourWindow, HourSlots, cost);
            s.Day.Add(now, DayWindow, DaySlots, cost);
            return new RateLimitDecision(true, tier, Windows(s, limits, now), TimeSpan.Zero, null);
        }

        // Rejected: report the window that keeps the caller waiting longest.
        var minuteWait = s.MinuteTokens >= cost ? TimeSpan.Zero
            : cost > limits.PerMinute ? MinuteWindow
            : TimeSpan.FromSeconds((cost - s.MinuteTokens) / Rate(limits));
        (string Name, TimeSpan Wait)[] waits =
        [
            (RateLimitWindows.Minute, minuteWait),
            (RateLimitWindows.Hour, s.Hour.TimeUntilRoom(now, HourWindow, HourSlots, limits.PerHour, cost)),
            (RateLimitWindows.Day, s.Day.TimeUntilRoom(now, DayWindow, DaySlots, limits.PerDay, cost)),
            (RateLimitWindows.AiTokens, request.UsesAiTokens ? s.AiTokens.TimeUntilRoom(now, DayWindow, DaySlots, limits.AiTokensPerDay, 1) : TimeSpan.Zero),
        ];
        var worst = waits.MaxBy(w => w.Wait);
        return new RateLimitDecision(false, tier, Windows(s, limits, now), worst.Wait, worst.Name);
    }

    /// <summary>
    /// Spends up to <paramref name="want"/> units at once (at least <paramref name="need"/>, else
    /// nothing and a rejected decision), capped at <paramref name="cap"/> or what fits every window.
    /// The AI-token quota is not leased: such requests decide one by one.
    /// </summary>
    public static (int Granted, RateLimitDecision Decision) Lease(
        RateLimitBucketState s, TierLimits limits, string tier, int need, int want, long cap, DateTimeOffset now)
    {
        Refill(s, limits, now);
        var room = Math.Min((long)Math.Floor(s.MinuteTokens),
            Math.Min(limits.PerHour - s.Hour.Used(now, HourWindow, HourSlots), limits.PerDay - s.Day.Used(now, DayWindow, DaySlots)));
        if (room < need)
        {
            // Decide spends nothing when the need does not fit, and says which window to wait for.
            return (0, Decide(s, limits, tier, new RateLimitRequest(need), now));
        }

        var granted = (int)Math.Min(Math.Min(want, Math.Max(need, cap)), room);
        s.MinuteTokens -= granted;
        s.Hour.Add(now, HourWindow, HourSlots, granted);
        s.Day.Add(now, DayWindow, DaySlots, granted);
        return (granted, new RateLimitDecision(true, tier, Windows(s, limits, now), TimeSpan.Zero, null));
    }

    /// <summary>Credits unspent leased units back to the minute bucket and to the slots they were counted in.</summary>
    public static void Return(RateLimitBucketState s, TierLimits limits, long units, DateTimeOffset grantedAt, DateTimeOffset now)
    {
        Refill(s, limits, now);
        s.MinuteTokens = Math.Min(limits.PerMinute, s.MinuteTokens + units);
        s.Hour.Remove(now, grantedAt, HourWindow, HourSlots, units);
        s.Day.Remove(now, grantedAt, DayWindow, DaySlots, units);
    }

    public static void ChargeAiTokens(RateLimitBucketState s, long tokens, DateTimeOffset now) =>
        s.AiTokens.Add(now, DayWindow, DaySlots, tokens);

    public static IReadOnlyList<RateLimitWindow> Windows(RateLimitBucketState s, TierLimits limits, DateTimeOffset now)
    {
        Refill(s, limits, now);
        var minuteRemaining = (long)Math.Floor(s.MinuteTokens);
        var hourUsed = s.Hour.Used(now, HourWindow, HourSlots);
        var dayUsed = s.Day.Used(now, DayWindow, DaySlots);
        var tokensUsed = s.AiTokens.Used(now, DayWindow, DaySlots);
        return
        [
            new(RateLimitWindows.Minute, limits.PerMinute, limits.PerMinute - minuteRemaining, minuteRemaining, MinuteWindow,
                TimeSpan.FromSeconds((limits.PerMinute - s.MinuteTokens) / Rate(limits))),
            new(RateLimitWindows.Hour, limits.PerHour, hourUsed, Math.Max(0, limits.PerHour - hourUsed), HourWindow, s.Hour.ResetAfter(now, HourWindow, HourSlots)),
            new(RateLimitWindows.Day, limits.PerDay, dayUsed, Math.Max(0, limits.PerDay - dayUsed), DayWindow, s.Day.ResetAfter(now, DayWindow, DaySlots)),
            new(RateLimitWindows.AiTokens, limits.AiTokensPerDay, tokensUsed, Math.Max(0, limits.AiTokensPerDay - tokensUsed), DayWindow, s.AiTokens.ResetAfter(now, DayWindow, DaySlots)),
        ];
    }

    public static void Reset(RateLimitBucketState s)
    {
        s.MinuteTokens = double.NaN;
        s.Hour = new();
        s.Day = new();
        s.AiTokens = new();
    }

    private static double Rate(TierLimits limits) => limits.PerMinute / MinuteWindow.TotalSeconds;

    /// <summary>Adds the tokens earned since the last refill; a new or re-tiered bucket is capped at its capacity.</summary>
    private static void Refill(RateLimitBucketState s, TierLimits limits, DateTimeOffset now)
    {
        if (double.IsNaN(s.MinuteTokens))
        {
            s.MinuteTokens = limits.PerMinute;
        }
        else if (now > s.MinuteRefilledAt)
        {
            s.MinuteTokens += (now - s.MinuteRefilledAt).TotalSeconds * Rate(limits);
        }

        s.MinuteTokens = Math.Min(s.MinuteTokens, limits.PerMinute);
        s.MinuteRefilledAt = now > s.MinuteRefilledAt ? now : s.MinuteRefilledAt;
    }
}
