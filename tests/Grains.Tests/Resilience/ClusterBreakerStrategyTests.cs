using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;
using OrleansAgents.Grains.Resilience;

namespace OrleansAgents.Tests.Resilience;

/// <summary>The Polly strategy on real silos: local views, batched reports, pushes between silos.</summary>
public sealed class ClusterBreakerStrategyTests(BreakerClusterFixture fixture) : IClassFixture<BreakerClusterFixture>
{
    private ClusterCircuitBreakers[] Views => fixture.Cluster.GetActiveSilos()
        .Select(s => fixture.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<ClusterCircuitBreakers>())
        .ToArray();

    private static string NewName() => "svc:" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Failures_OpenTheClusterBreaker_ThenCallsAreRejectedWithoutThrowing()
    {
        var name = NewName();
        var pipeline = new ResiliencePipelineBuilder().AddClusterCircuitBreaker(Views[0], name).Build();

        for (var i = 0; i < 12; i++)
        {
            var outcome = await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => ValueTask.FromResult(Outcome.FromException<int>(new HttpRequestException("down"))), ResilienceContextPool.Shared.Get(), 0);
            Assert.IsType<HttpRequestException>(outcome.Exception);
        }

        await WaitForAsync(() => Views[0].Get(name).Snapshot.State == BreakerState.Open, TimeSpan.FromSeconds(5));
        var rejected = await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => ValueTask.FromResult(Outcome.FromResult(1)), ResilienceContextPool.Shared.Get(), 0);

        var broken = Assert.IsType<BrokenCircuitException>(rejected.Exception);
        Assert.True(broken.RetryAfter > TimeSpan.Zero);
        Assert.Equal(BreakerState.Open, (await fixture.Client.GetGrain<ICircuitBreakerGrain>(name).GetAsync()).State);
    }

    [Fact]
    public async Task Isolation_IsSeenByEverySilo_WithinOneSecond()
    {
        var name = NewName();
        var views = Views;
        Assert.Equal(2, views.Length);
        foreach (var view in views)
        {
            // Each silo guards a call first, so it holds a local view of this breaker.
            var pipeline = new ResiliencePipelineBuilder().AddClusterCircuitBreaker(view, name).Build();
            await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
        }

        var watch = Stopwatch.StartNew();
        await fixture.Client.GetGrain<ICircuitBreakerGrain>(name).IsolateAsync("visibility test");
        await WaitForAsync(() => views.All(v => v.Get(name).Snapshot.State == BreakerState.Isolated), TimeSpan.FromSeconds(3));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed.TotalMilliseconds:F0} ms");
        var isolated = await new ResiliencePipelineBuilder().AddClusterCircuitBreaker(views[1], name).Build()
            .ExecuteOutcomeAsync<int, int>((_, _) => ValueTask.FromResult(Outcome.FromResult(1)), ResilienceContextPool.Shared.Get(), 0);
        Assert.IsType<IsolatedCircuitException>(isolated.Exception);
    }

    [Fact]
    public async Task Successes_AreReportedInBatches_NotPerCall()
    {
        var name = NewName();
        var pipeline = new ResiliencePipelineBuilder().AddClusterCircuitBreaker(Views[0], name).Build();
        for (var i = 0; i < 500; i++)
        {
            await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
        }

        var grain = fixture.Client.GetGrain<ICircuitBreakerGrain>(name);
        await WaitForAsync(async () => (await grain.GetAsync()).Successes == 500, TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.Closed, (await grain.GetAsync()).State);
    }

    [Fact]
    public async Task HalfOpen_LetsOneProbeThrough_RejectsTheRest_AndASuccessfulProbeCloses()
    {
        var name = NewName();
        var view = Views[0];
        var pipeline = new ResiliencePipelineBuilder().AddClusterCircuitBreaker(view, name).Build();
        var grain = fixture.Client.GetGrain<ICircuitBreakerGrain>(name);
        await grain.ReportAsync(new BreakerOutcomes(0, 10, 0));
        await WaitForAsync(() => view.Get(name).Snapshot.State == BreakerState.Open, TimeSpan.FromSeconds(5));
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        var release = new TaskCompletionSource();
        var probe = pipeline.ExecuteOutcomeAsync<int, int>(async (_, _) =>
        {
            await release.Task;
            return Outcome.FromResult(1);
        }, ResilienceContextPool.Shared.Get(), 0).AsTask();
        await WaitForAsync(async () => (await grain.GetAsync()).State == BreakerState.HalfOpen, TimeSpan.FromSeconds(5));

        var second = await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => ValueTask.FromResult(Outcome.FromResult(2)), ResilienceContextPool.Shared.Get(), 0);
        var third = await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => ValueTask.FromResult(Outcome.FromResult(3)), ResilienceContextPool.Shared.Get(), 0);
        Assert.IsType<BrokenCircuitException>(second.Exception);
        Assert.IsType<BrokenCircuitException>(third.Exception);

        release.SetResult();
        Assert.Equal(1, (await probe).Result);
        await WaitForAsync(() => view.Get(name).Snapshot.State == BreakerState.Closed, TimeSpan.FromSeconds(5));
        Assert.Equal(4, (await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => ValueTask.FromResult(Outcome.FromResult(4)), ResilienceContextPool.Shared.Get(), 0)).Result);
    }

    private static Task WaitForAsync(Func<bool> condition, TimeSpan timeout) => Eventually.HoldsAsync(condition, "the breaker's local view", timeout);

    private static Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout) => Eventually.HoldsAsync(condition, "the breaker's state", timeout);
}
