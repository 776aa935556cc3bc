using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.RateLimiting;
using OrleansAgents.Silo.Hosting;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.RateLimiting;

/// <summary>
/// The documented bound: after a silo crash a bucket over-admits at most CheckpointEvery - 1 per
/// window, because at most that many admissions were not yet written to PostgreSQL.
/// </summary>
public sealed class RateLimitCrashTests : IAsyncLifetime
{
    private const int CheckpointEvery = 4;
    private readonly ManualTimeProvider _clock = new();
    private TestDatabase _db = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureHost(host =>
        {
            host.Configuration["RateLimiting:CheckpointEvery"] = CheckpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture);
            host.Configuration["RateLimiting:CheckpointInterval"] = "01:00:00"; // only the count-based checkpoint
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(_clock);
            silo.AddAdoNetGrainStorage(StorageNames.RateLimits, o =>
            {
                o.Invariant = SiloHosting.NpgsqlInvariant;
                o.ConnectionString = _db.ConnectionString;
            });
            SiloHosting.UseOrleansBinaryStateFormat(silo.Services, StorageNames.RateLimits);
            silo.AddMemoryGrainStorage(StorageNames.Agents);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // Declare the killed silo dead quickly so the bucket can move.
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 1;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.AddAgentsSilo();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task SiloCrash_OverAdmitsAtMostTheUncheckpointedAdmissions()
    {
        const string user = "crashy";
        var bucket = _cluster.Client.GetGrain<IRateLimitBucketGrain>(user);
        for (var i = 0; i < 7; i++) // checkpoint after the 4th; 3 admissions stay unsaved
        {
            Assert.True((await bucket.DecideAsync(new RateLimitRequest(1))).Allowed);
        }

        var host = await HostOfAsync(bucket);
        await _cluster.KillSiloAsync(_cluster.GetActiveSilos().Single(s => s.SiloAddress.Equals(host)));

        var afterCrash = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var attempts = 0; attempts < 40; attempts++)
        {
            try
            {
                if ((await bucket.DecideAsync(new RateLimitRequest(1)).AsTask().WaitAsync(deadline.Token)).Allowed)
                {
                    afterCrash++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Task.Delay(200, deadline.Token); // the dead silo is not yet declared dead
            }
        }

        var total = 7 + afterCrash;
        // free tier: 10 per minute, and the clock stands still.
        Assert.True(total <= 10 + (CheckpointEvery - 1), $"{total} admitted: more than the documented bound");
        Assert.Equal(10 + 3, total); // the 4 checkpointed admissions were remembered, the 3 unsaved were not
    }

    private async Task<SiloAddress> HostOfAsync(IRateLimitBucketGrain bucket)
    {
        var stats = await _cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Single(s => s.GrainId == bucket.GetGrainId()).SiloAddress;
    }
}
