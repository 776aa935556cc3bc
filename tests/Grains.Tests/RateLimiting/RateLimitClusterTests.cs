using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Errors;
using OrleansAgents.RateLimiting;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.RateLimiting;

public sealed class RateLimitClusterTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    [Fact]
    public async Task ConcurrentCallersOnTwoSilos_NeverOverAdmit()
    {
        var user = "hammer-" + Guid.NewGuid().ToString("N")[..8];
        // Calls originate inside each silo, as they do from an API co-hosted with a silo.
        var factories = fixture.Cluster.GetActiveSilos()
            .Select(s => fixture.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<IGrainFactory>())
            .ToArray();
        Assert.Equal(2, factories.Length);

        var admitted = 0;
        var rejected = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async caller =>
        {
            var bucket = factories[caller % 2].GetGrain<IRateLimitBucketGrain>(user);
            for (var i = 0; i < 10; i++)
            {
                var decision = await bucket.DecideAsync(new RateLimitRequest(1));
                Interlocked.Increment(ref decision.Allowed ? ref admitted : ref rejected);
            }
        }));

        // The clock does not move, so only the free tier's minute burst can be admitted.
        Assert.Equal(10, admitted);
        Assert.Equal(630, rejected);
        var status = await fixture.Client.GetGrain<IRateLimitBucketGrain>(user).GetStatusAsync();
        Assert.Equal(0, status.Windows.Single(w => w.Name == RateLimitWindows.Minute).Remaining);
        Assert.Equal(10, status.Windows.Single(w => w.Name == RateLimitWindows.Hour).Used);
    }

    [Fact]
    public async Task SetTier_ChangesTheLimits_AndRejectsUnknownTiers()
    {
        var bucket = fixture.Client.GetGrain<IRateLimitBucketGrain>("tiered-" + Guid.NewGuid().ToString("N")[..8]);

        var pro = await bucket.SetTierAsync("pro");
        var ex = await Assert.ThrowsAsync<DomainException>(() => bucket.SetTierAsync("gold"));

        Assert.Equal("pro", pro.Tier);
        Assert.Equal(100, pro.Windows.Single(w => w.Name == RateLimitWindows.Minute).Limit);
        Assert.Equal(ErrorCodes.RateLimitUnknownTier, ex.Code);
        Assert.Equal("pro", (await bucket.GetStatusAsync()).Tier);
    }

    [Theory]
    [InlineData("ip-203.0.113.9", "anonymous", 20)]
    [InlineData("ip-2001-db8--1", "anonymous", 20)]
    [InlineData("anonymous", "anonymous", 20)]
    [InlineData("login-bob", "anonymous", 20)]
    [InlineData("bob", "free", 10)]
    [InlineData("apikey-abc", "free", 10)]
    public async Task BucketsWithoutATier_StartInTheTierOfTheirKind(string key, string tier, long perMinute)
    {
        var status = await fixture.Client.GetGrain<IRateLimitBucketGrain>(key).GetStatusAsync();

        Assert.Equal(tier, status.Tier);
        Assert.Equal(perMinute, status.Windows.Single(w => w.Name == RateLimitWindows.Minute).Limit);
    }

    [Fact]
    public async Task AnAnonymousBucketGivenATier_KeepsIt()
    {
        var bucket = fixture.Client.GetGrain<IRateLimitBucketGrain>("ip-198.51.100." + Random.Shared.Next(1, 250).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await bucket.SetTierAsync("pro");
        Assert.Equal("pro", (await bucket.GetStatusAsync()).Tier);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Decide_RejectsABadCost(int cost)
    {
        var bucket = fixture.Client.GetGrain<IRateLimitBucketGrain>("cost-" + Guid.NewGuid().ToString("N")[..8]);
        var ex = await Assert.ThrowsAsync<DomainException>(() => bucket.DecideAsync(new RateLimitRequest(cost)).AsTask());
        Assert.Equal(ErrorCodes.RateLimitInvalidCost, ex.Code);
    }

    [Fact]
    public async Task ChargeAiTokens_CountsAgainstTheDailyQuota()
    {
        var bucket = fixture.Client.GetGrain<IRateLimitBucketGrain>("tokens-" + Guid.NewGuid().ToString("N")[..8]);

        var status = await bucket.ChargeAiTokensAsync(1234);

        Assert.Equal(1234, status.Windows.Single(w => w.Name == RateLimitWindows.AiTokens).Used);
        Assert.Equal(ErrorCodes.RateLimitInvalidTokens, (await Assert.ThrowsAsync<DomainException>(() => bucket.ChargeAiTokensAsync(0))).Code);
    }
}
