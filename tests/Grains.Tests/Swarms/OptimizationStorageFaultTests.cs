using Orleans.TestingHost;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Swarms;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Swarms;

/// <summary>Two silos whose collective storage fails a write when a test asks (Orleans' fault-injection storage).</summary>
public sealed class FlakyCollectiveStorageFixture : RegistryClusterFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Swarms:WatchdogInterval"] = "00:00:01",
    };

    protected override void ConfigureSilo(ISiloBuilder silo) =>
        silo.AddFaultInjectionMemoryStorage(StorageNames.Collective, (Action<Orleans.Configuration.MemoryGrainStorageOptions>)(_ => { }), _ => { });
}

public sealed class OptimizationStorageFaultTests(FlakyCollectiveStorageFixture fixture) : IClassFixture<FlakyCollectiveStorageFixture>
{
    [Fact]
    public async Task Start_WhoseWriteFails_StoresNothingAndTheResendStarts()
    {
        var grain = fixture.Client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        var request = OptimizationGrainTests.Request("sphere", 3, 20, 7, swarmSize: 10);
        // The fault grain is keyed by the state name the grain stores under.
        await fixture.Client.GetGrain<IStorageFaultGrain>("optimization")
            .AddFaultOnWrite(grain.GetGrainId(), new InvalidOperationException("storage unavailable"));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => grain.StartAsync(request));
        Assert.Contains("storage unavailable", failure.ToString(), StringComparison.Ordinal);

        // Nothing was stored, so nothing may be shown, and the same start must go through (not 409 "exists").
        Assert.Null(await grain.GetAsync());
        var started = await grain.StartAsync(request);
        Assert.Equal(OptimizationStatus.Running, started.Status);
        var finished = await Eventually.HoldsAsync(async () => (await grain.GetAsync())!, v => SwarmRules.IsFinished(v.Status),
            "the resent optimisation to finish");
        Assert.Equal(OptimizationStatus.Completed, finished.Status);
    }
}
