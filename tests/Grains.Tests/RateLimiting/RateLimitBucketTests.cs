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
}
