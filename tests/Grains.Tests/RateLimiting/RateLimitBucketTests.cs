using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.RateLimiting;

namespace OrleansAgents.Tests.RateLimiting;

/// <summary>The decision rules alone, on a hand-moved clock.</summary>
public sealed class RateLimitBucketTests
{
    private static readonly TierLimits Free = new() { PerMinute = 10, PerHour = 100, PerDay = 500, AiTokensPerDay = 50_000 };
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static RateLimitDecision Decide(RateLimitBucketState s, DateTimeOffset now, int cost = 1, TierLimits? limits = null, bool ai = false) =>
        RateLimitBucket.Decide(s, limits ?? Free, "free", new RateLimitRequest(cost, ai), now);

    [Fact]
    public void Minute_AllowsTheBurst_ThenRefillsAtTheRate()
    {
        var s = new RateLimitBucketState();
        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(Decide(s, T0).Allowed));

        var rejected = Decide(s, T0);
        Assert.False(rejected.Allowed);
        Assert.Equal(RateLimitWindows.Minute, rejected.ViolatedWindow);
        Assert.Equal(TimeSpan.FromSeconds(6), rejected.RetryAfter); // 10 per minute = one every 6 s

        Assert.False(Decide(s, T0.AddSeconds(5.9)).Allowed);
        Assert.True(Decide(s, T0.AddSeconds(6)).Allowed);
    }

    [Fact]
    public void Cost_SpendsSeveralUnits_AndARejectionSpendsNothing()
    {
        var s = new RateLimitBucketState();
        Assert.True(Decide(s, T0, cost: 7).Allowed);
        Assert.False(Decide(s, T0, cost: 4).Allowed);
        var after = Decide(s, T0, cost: 3);
        Assert.True(after.Allowed);
        Assert.Equal(10, after.Windows.Single(w => w.Name == RateLimitWindows.Hour).Used);
    }

    [Fact]
    public void Hour_NeverAdmitsMoreThanItsLimit_InAnyHourLongWindow()
    {
        var s = new RateLimitBucketState();
        var admitted = new List<DateTimeOffset>();
        // Ask every 3 seconds for 3 hours: the minute bucket would allow 20 a minute, the hour only 100.
        for (var t = T0; t < T0.AddHours(3); t = t.AddSeconds(3))
        {
            if (Decide(s, t).Allowed)
            {
                admitted.Add(t);
            }
        }

        foreach (var start in admitted)
        {
            Assert.True(admitted.Count(a => a >= start && a < start.AddHours(1)) <= Free.PerHour);
        }

        Assert.True(admitted.Count >= 2 * Free.PerHour, $"only {admitted.Count} admitted: the window never slid");
    }

    [Fact]
    public void Day_Binds_WhenTheHoursAllowMore()
    {
        var limits = new TierLimits { PerMinute = 1000, PerHour = 1000, PerDay = 1500, AiTokensPerDay = 10 };
        var s = new RateLimitBucketState();
        var admitted = 0;
        for (var hour = 0; hour < 4; hour++)
        {
            for (var i = 0; i < 1000; i++)
            {
                admitted += Decide(s, T0.AddHours(hour).AddMilliseconds(i * 3000), limits: limits).Allowed ? 1 : 0;
            }
        }

        Assert.Equal(1500, admitted);
        var rejected = Decide(s, T0.AddHours(5), limits: limits);
        Assert.Equal(RateLimitWindows.Day, rejected.ViolatedWindow);
        Assert.True(rejected.RetryAfter > TimeSpan.FromHours(18));
    }

    [Fact]
    public void AiTokens_ChargedAfterTheFact_BlockOnlyAiRequests()
    {
        var s = new RateLimitBucketState();
        RateLimitBucket.ChargeAiTokens(s, 50_000, T0);

        var ai = Decide(s, T0.AddSeconds(1), ai: true);
        Assert.False(ai.Allowed);
        Assert.Equal(RateLimitWindows.AiTokens, ai.ViolatedWindow);
        Assert.True(Decide(s, T0.AddSeconds(1)).Allowed);
        Assert.True(Decide(s, T0.AddDays(1).AddHours(1), ai: true).Allowed);
    }

    [Fact]
    public void CostAboveTheLimit_IsNeverAdmitted()
    {
        var s = new RateLimitBucketState();
        var decision = Decide(s, T0, cost: 11);
        Assert.False(decision.Allowed);
        Assert.Equal(TimeSpan.FromMinutes(1), decision.RetryAfter);
    }

    [Fact]
    public void Reset_ForgetsUsage()
    {
        var s = new RateLimitBucketState();
        for (var i = 0; i < 10; i++)
        {
            Decide(s, T0);
        }

        RateLimitBucket.Reset(s);

        Assert.True(Decide(s, T0).Allowed);
        Assert.Equal(1, RateLimitBucket.Windows(s, Free, T0).Single(w => w.Name == RateLimitWindows.Day).Used);
    }

    private static readonly TierLimits Big = new() { PerMinute = 600, PerHour = 1_000, PerDay = 5_000, AiTokensPerDay = 0 };

    [Fact]
    public void Lease_GrantsUpToTheCapOrTheRoom_AndNothingWhenTheNeedDoesNotFit()
    {
        var s = new RateLimitBucketState();

        var (granted, decision) = RateLimitBucket.Lease(s, Big, "big", need: 1, want: 64, cap: 40, T0);
        Assert.Equal(40, granted);
        Assert.True(decision.Allowed);
        Assert.Equal(560, decision.Windows.Single(w => w.Name == RateLimitWindows.Minute).Remaining);

        // Only 560 minute tokens are left: a want above them gets what fits.
        Assert.Equal(560, RateLimitBucket.Lease(s, Big, "big", need: 1, want: 1_000, cap: 1_000, T0).Granted);
        var (none, rejected) = RateLimitBucket.Lease(s, Big, "big", need: 1, want: 64, cap: 40, T0);
        Assert.Equal(0, none);
        Assert.False(rejected.Allowed);
        Assert.Equal(RateLimitWindows.Minute, rejected.ViolatedWindow);
        Assert.Equal(600, rejected.Windows.Single(w => w.Name == RateLimitWindows.Hour).Used);
    }

    [Fact]
    public void Lease_NeverGrantsLessThanTheNeed_EvenAboveTheCap()
    {
        var s = new RateLimitBucketState();
        Assert.Equal(5, RateLimitBucket.Lease(s, Free, "free", need: 5, want: 32, cap: 0, T0).Granted);
    }

    [Fact]
    public void Return_CreditsTheMinuteAndTheSlotTheGrantWasCountedIn()
    {
        var s = new RateLimitBucketState();
        var (granted, _) = RateLimitBucket.Lease(s, Big, "big", need: 1, want: 30, cap: 100, T0);
        Assert.Equal(30, granted);
        var later = T0.AddMinutes(7); // another 5-minute hour slot
        Assert.True(RateLimitBucket.Decide(s, Big, "big", new RateLimitRequest(10), later).Allowed);

        RateLimitBucket.Return(s, Big, 25, T0, later);

        var windows = RateLimitBucket.Windows(s, Big, later);
        Assert.Equal(15, windows.Single(w => w.Name == RateLimitWindows.Hour).Used);
        // The 10 counted in the later slot must still count after the first slot leaves the hour.
        Assert.Equal(10, RateLimitBucket.Windows(s, Big, T0.AddMinutes(66)).Single(w => w.Name == RateLimitWindows.Hour).Used);
        Assert.Equal(600, windows.Single(w => w.Name == RateLimitWindows.Minute).Limit);
    }

    [Fact]
    public void Return_OfASlotThatLeftTheWindow_ChangesNothing_AndTheMinuteIsCappedAtItsLimit()
    {
        var s = new RateLimitBucketState();
        RateLimitBucket.Lease(s, Big, "big", need: 1, want: 30, cap: 100, T0);
        var muchLater = T0.AddHours(2);
        Assert.True(RateLimitBucket.Decide(s, Big, "big", new RateLimitRequest(5), muchLater).Allowed);

        RateLimitBucket.Return(s, Big, 30, T0, muchLater);

        var windows = RateLimitBucket.Windows(s, Big, muchLater);
        Assert.Equal(5, windows.Single(w => w.Name == RateLimitWindows.Hour).Used);
        Assert.Equal(600, windows.Single(w => w.Name == RateLimitWindows.Minute).Remaining);
    }
}
