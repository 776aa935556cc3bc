using OrleansAgents.RateLimiting;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.RateLimiting;

/// <summary>The per-minute rejection counts behind GET /api/rate-limits: fed by buckets, bounded.</summary>
public sealed class RateLimitRejectionsTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    [Fact]
    public async Task RejectedBucket_IsCountedInTheMinutesRejections()
    {
        var user = "refused-" + Guid.NewGuid().ToString("N")[..8];
        var bucket = fixture.Client.GetGrain<IRateLimitBucketGrain>(user);
        var rejected = 0;
        for (var i = 0; i < 12; i++)
        {
            rejected += (await bucket.DecideAsync(new RateLimitRequest(1))).Allowed ? 0 : 1;
        }

        Assert.InRange(rejected, 2, 12);
        // The first rejection is reported at once; the clock stands still, so the rest wait for RejectionReportInterval (5 s).
        await Eventually.HoldsAsync(async () => await CountedAsync(user) == 1, "the first rejection counted at once");

        fixture.Clock.Advance(TimeSpan.FromSeconds(6));

        // The bucket's timer reports the batch.
        await Eventually.HoldsAsync(async () => await CountedAsync(user) == rejected, "every rejection counted");
    }

    private async Task<long> CountedAsync(string user)
    {
        var now = fixture.Clock.GetUtcNow(); // the silos' clock: the minutes the buckets report to
        var minutes = await Task.WhenAll(new[] { now.AddMinutes(-1), now }.Select(m =>
            fixture.Client.GetGrain<IRateLimitRejectionsGrain>(RateLimitRules.RejectionWindowKey(m)).GetTopAsync(RateLimitRules.MaxTopLimited).AsTask()));
        return minutes.SelectMany(m => m).Where(r => r.Key == user).Sum(r => r.Rejections);
    }

    [Fact]
    public async Task AFullMinute_KeepsTheMostRejected_ANewcomerReplacesTheFewest()
    {
        var minute = fixture.Client.GetGrain<IRateLimitRejectionsGrain>("test-" + Guid.NewGuid().ToString("N"));
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 1000; i++) // RateLimiting:MaxTrackedRejections
        {
            await minute.AddAsync($"user-{i:D4}", "free", i == 0 ? 1 : 2, at);
        }

        await minute.AddAsync("quiet", "free", 1, at);  // no more than the fewest: not kept
        await minute.AddAsync("loud", "free", 50, at);  // replaces user-0000

        // One-way calls: the last may land after a later read.
        await Eventually.HoldsAsync(async () => await minute.GetTopAsync(1) is [{ Key: "loud" }], "the newcomer on top");
        var all = await minute.GetTopAsync(RateLimitRules.MaxTopLimited);
        Assert.Equal(RateLimitRules.MaxTopLimited, all.Count);
        Assert.Equal(50, all[0].Rejections);
        Assert.Equal(2, all[^1].Rejections);
        Assert.DoesNotContain(all, r => r.Key is "quiet" or "user-0000");
    }
}
