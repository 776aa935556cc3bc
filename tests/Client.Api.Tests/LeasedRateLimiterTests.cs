using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.RateLimiting;

namespace OrleansAgents.Tests;

/// <summary>
/// Several API processes (one <see cref="LeasedAllowance"/> each) leasing from one user's bucket
/// grain: admissions stay within the limit plus the documented bound (LeaseUnits per process for a
/// window that starts while leases are out; none for a window that starts with nothing leased).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class LeasedRateLimiterTests(ApiFactory factory)
{
    private const int Processes = 4;
    private const int LeaseUnits = 16;
    private const long Limit = 300;

    private IGrainFactory Grains => factory.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// A fresh user on the test tier (1,000,000 a minute, hour and day) with all but
    /// <see cref="Limit"/> of the hour window spent: the hour is then the binding limit and, unlike
    /// the minute bucket, does not refill while the test runs.
    /// </summary>
    private async Task<IRateLimitBucketGrain> UserWithRoomAsync(long room)
    {
        var bucket = Grains.GetGrain<IRateLimitBucketGrain>("lease-" + Guid.NewGuid().ToString("N")[..10]);
        var hour = (await bucket.GetStatusAsync()).Windows.Single(w => w.Name == RateLimitWindows.Hour);
        var toSpend = hour.Limit - room;
        while (toSpend > 0)
        {
            var want = (int)Math.Min(toSpend, RateLimitRules.MaxLeaseUnits);
            toSpend -= (await bucket.LeaseAsync(new RateLimitLeaseRequest(1, want))).Granted;
        }

        return bucket;
    }

    private static async Task<long> HammerAsync(LeasedAllowance[] processes, int workersEach, Func<bool> stop)
    {
        long admitted = 0;
        await Task.WhenAll(processes.SelectMany(p => Enumerable.Range(0, workersEach).Select(_ => Task.Run(async () =>
        {
            // Each worker stops after the bucket turns it away a few times in a row.
            for (var rejectedInARow = 0; rejectedInARow < 3 && !stop();)
            {
                if ((await p.AcquireAsync(1)).Allowed)
                {
                    Interlocked.Increment(ref admitted);
                    rejectedInARow = 0;
                }
                else
                {
                    rejectedInARow++;
                }
            }
        }))));
        return admitted;
    }

    [Fact]
    public async Task SeveralApiProcesses_AdmitExactlyTheLimit_WhenTheWindowStartsWithNothingLeased()
    {
        var bucket = await UserWithRoomAsync(Limit);
        var processes = Enumerable.Range(0, Processes)
            .Select(_ => new LeasedAllowance(bucket, LeaseUnits, TimeSpan.FromMinutes(1), TimeProvider.System)).ToArray();

        var admitted = await HammerAsync(processes, workersEach: 8, stop: () => false);

        // Every process handed back its remainder with the lease request that was turned away.
        Assert.Equal(Limit, admitted);
        Assert.All(processes, p => Assert.Equal(0, p.Held));
        var hour = (await bucket.GetStatusAsync()).Windows.Single(w => w.Name == RateLimitWindows.Hour);
        Assert.Equal(0, hour.Remaining);
    }

    [Fact]
    public async Task AWindowStartingWhileLeasesAreOut_AdmitsAtMostTheLimitPlusLeaseUnitsPerProcess()
    {
        var bucket = await UserWithRoomAsync(Limit + (Processes * LeaseUnits));
        var processes = Enumerable.Range(0, Processes)
            .Select(_ => new LeasedAllowance(bucket, LeaseUnits, TimeSpan.FromMinutes(1), TimeProvider.System)).ToArray();
        // Before the "window": every process takes one request, so each holds LeaseUnits - 1 units
        // the grain already counts as spent.
        foreach (var p in processes)
        {
            Assert.True((await p.AcquireAsync(1)).Allowed);
        }

        Assert.All(processes, p => Assert.Equal(LeaseUnits - 1, p.Held));
        var roomAtStart = (await bucket.GetStatusAsync()).Windows.Single(w => w.Name == RateLimitWindows.Hour).Remaining;
        Assert.Equal(Limit, roomAtStart);

        var admitted = await HammerAsync(processes, workersEach: 8, stop: () => false);

        // The grain had Limit left when the window began; the processes add what they held then.
        Assert.InRange(admitted, Limit, Limit + (Processes * (LeaseUnits - 1)));
        Assert.Equal(Limit + (Processes * (LeaseUnits - 1)), admitted);
    }

    [Fact]
    public async Task AnExpiredRemainder_GoesBackToTheBucket()
    {
        var bucket = await UserWithRoomAsync(Limit);
        var process = new LeasedAllowance(bucket, LeaseUnits, TimeSpan.FromMilliseconds(50), TimeProvider.System);

        Assert.True((await process.AcquireAsync(1)).Allowed);
        Assert.Equal(Limit - LeaseUnits, Remaining(await bucket.GetStatusAsync()));
        // The 50 ms lease lapses on the real clock; each sweep returns it only once it has.
        await Eventually.HoldsAsync(async () =>
        {
            await process.ReturnUnusedAsync(evenIfLive: false);
            return process.Held == 0;
        }, "the expired remainder to be returned");
        Assert.Equal(Limit - 1, Remaining(await bucket.GetStatusAsync()));

        static long Remaining(RateLimitStatus s) => s.Windows.Single(w => w.Name == RateLimitWindows.Hour).Remaining;
    }

    [Fact]
    public async Task ALeaseRequestOutOfRange_IsRejectedWithTheCostError()
    {
        var bucket = Grains.GetGrain<IRateLimitBucketGrain>("lease-" + Guid.NewGuid().ToString("N")[..10]);

        var error = await Assert.ThrowsAsync<OrleansAgents.Errors.DomainException>(
            async () => await bucket.LeaseAsync(new RateLimitLeaseRequest(1, RateLimitRules.MaxLeaseUnits + 1)));

        Assert.Equal(OrleansAgents.Errors.ErrorCodes.RateLimitInvalidCost, error.Code);
    }

    [Fact]
    public async Task ThroughTheApi_WithLeasing_AUserGetsTheTierLimit_AndTheSameHeaders()
    {
        using var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var managementPort = ((System.Net.IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("RateLimiting:LeaseUnits", "8");
            b.UseSetting("Orleans:ManagementPort", managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        var user = "lease-" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.CreateClient().PutAsJsonAsync($"/api/rate-limits/{user}/tier", new { tier = "pro" })).StatusCode);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            app.Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>().Issue(user, [OrleansAgents.Security.Roles.Viewer], "user", null).Token);
        var leases = app.Services.GetRequiredService<LeasedAllowances>();

        var started = DateTime.UtcNow;
        var first = await client.GetAsync("/api/agents");
        // pro is 100 a minute: a lease holds 100 / 16 = 6, so 5 stay here after this request, and the
        // header still counts them as the user's.
        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(5, leases.For(user).Held);
        Assert.StartsWith("\"minute\";r=99;", first.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        var admitted = 1;
        System.Net.Http.HttpResponseMessage response;
        while ((response = await client.GetAsync("/api/agents")).StatusCode == System.Net.HttpStatusCode.OK)
        {
            admitted++;
            Assert.True(admitted <= 1000, "never rejected");
        }

        await ProblemAssert.IsAsync(response, System.Net.HttpStatusCode.TooManyRequests, "rate_limit.exceeded");
        // One API process, a fresh bucket: the limit plus what the minute refilled meanwhile, nothing leased before.
        var refilled = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds * 100 / 60.0);
        Assert.InRange(admitted, 100, 100 + refilled);
    }
}
