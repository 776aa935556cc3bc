namespace OrleansAgents.Tests.Resilience;

/// <summary>Polly v8 semantics, decided by the grain on a hand-moved clock.</summary>
public sealed class CircuitBreakerGrainTests(BreakerClusterFixture fixture) : IClassFixture<BreakerClusterFixture>
{
    private static string NewName(string prefix = "dep") => $"{prefix}:{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private ICircuitBreakerGrain Breaker(string name) => fixture.Client.GetGrain<ICircuitBreakerGrain>(name);

    [Fact]
    public async Task Failures_BelowMinimumThroughput_NeverBreak()
    {
        var breaker = Breaker(NewName());
        var snapshot = await breaker.ReportAsync(new BreakerOutcomes(0, 9, 0));
        Assert.Equal(BreakerState.Closed, snapshot.State);
    }

    [Fact]
    public async Task FailureRatio_BelowThreshold_StaysClosed_AtThreshold_Opens()
    {
        var breaker = Breaker(NewName());
        Assert.Equal(BreakerState.Closed, (await breaker.ReportAsync(new BreakerOutcomes(6, 4, 0))).State);

        var opened = await breaker.ReportAsync(new BreakerOutcomes(0, 2, 0)); // 6 of 12 failed = 50 %
        Assert.Equal(BreakerState.Open, opened.State);
        Assert.Equal(fixture.Clock.GetUtcNow().AddSeconds(5), opened.RetryAt);
        var view = await breaker.GetAsync();
        Assert.Equal(BreakerState.Open, view.Transitions[^1].To);
        Assert.Contains("failure ratio", view.Transitions[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HalfOpen_GrantsBoundedProbes_AndASuccessCloses()
    {
        var breaker = Breaker(NewName());
        await breaker.ReportAsync(new BreakerOutcomes(0, 10, 0));
        Assert.False(await breaker.TryAcquireProbeAsync()); // still inside the break

        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await breaker.TryAcquireProbeAsync());
        Assert.False(await breaker.TryAcquireProbeAsync()); // one probe at a time
        Assert.Equal(BreakerState.HalfOpen, (await breaker.GetAsync()).State);

        var closed = await breaker.ReportProbeAsync(succeeded: true);
        Assert.Equal(BreakerState.Closed, closed.State);
        Assert.Equal([BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed], (await breaker.GetAsync()).Transitions.Select(t => t.To));
    }

    [Fact]
    public async Task AProbeThatNeverReports_IsTakenBackAfterOneBreakDuration()
    {
        var breaker = Breaker(NewName());
        await breaker.ReportAsync(new BreakerOutcomes(0, 10, 0));
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await breaker.TryAcquireProbeAsync()); // its caller dies and never reports

        Assert.False(await breaker.TryAcquireProbeAsync());
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await breaker.TryAcquireProbeAsync());
        Assert.Equal(BreakerState.Closed, (await breaker.ReportProbeAsync(succeeded: true)).State);
    }

    [Fact]
    public async Task FailedProbe_ReopensForLonger_WhenBreaksGrow_UpToTheMaximum()
    {
        var breaker = Breaker(NewName("grow:dep")[..8]); // exactly "grow:dep", which has an override
        await breaker.CloseAsync("test start");
        await breaker.ReportAsync(new BreakerOutcomes(0, 10, 0));
        var breaks = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var retryAt = (await breaker.GetAsync()).RetryAt!.Value;
            breaks.Add(retryAt - fixture.Clock.GetUtcNow());
            fixture.Clock.Advance(retryAt - fixture.Clock.GetUtcNow());
            Assert.True(await breaker.TryAcquireProbeAsync());
            Assert.Equal(BreakerState.Open, (await breaker.ReportProbeAsync(succeeded: false)).State);
        }

        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15)], breaks);
        await breaker.CloseAsync("test end");
    }

    [Fact]
    public async Task Isolate_HoldsOpenThroughOutcomesAndTime_UntilClosedByHand()
    {
        var breaker = Breaker(NewName());
        await breaker.IsolateAsync("maintenance");
        await breaker.ReportAsync(new BreakerOutcomes(100, 0, 0));
        fixture.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(BreakerState.Isolated, (await breaker.GetAsync()).State);
        Assert.False(await breaker.TryAcquireProbeAsync());

        var closed = await breaker.CloseAsync("done");
        Assert.Equal(BreakerState.Closed, closed.State);
        Assert.Equal("closed by hand: done", closed.Transitions[^1].Reason);
    }

    [Fact]
    public async Task History_KeepsTheLastN_AndCountersAddUp()
    {
        var breaker = Breaker(NewName());
        for (var i = 0; i < 4; i++)
        {
            await breaker.IsolateAsync("x");
            await breaker.CloseAsync("y");
        }

        await breaker.ReportAsync(new BreakerOutcomes(3, 2, 7));
        var view = await breaker.GetAsync();

        Assert.Equal(5, view.Transitions.Count);
        Assert.Equal((3, 2, 7), (view.Successes, view.Failures, view.Rejections));
    }

    [Fact]
    public async Task Registry_ListsEveryBreakerUsed()
    {
        var name = NewName();
        await Breaker(name).GetAsync();
        Assert.Contains(name, await fixture.Client.GetGrain<IBreakerRegistryGrain>(0).ListAsync());
    }

    [Fact]
    public async Task Registry_ReadsAndClosesEveryBreaker_AndLooksUpWithoutCreating()
    {
        var isolated = NewName();
        var open = NewName();
        await Breaker(isolated).IsolateAsync("test");
        await Breaker(open).ReportAsync(new BreakerOutcomes(0, 10, 0));
        var registry = fixture.Client.GetGrain<IBreakerRegistryGrain>(0);

        Assert.True(await registry.ContainsAsync(open));
        Assert.False(await registry.ContainsAsync(NewName()));
        var views = await registry.ListViewsAsync();
        Assert.Equal(BreakerState.Isolated, views.Single(v => v.Name == isolated).State);
        Assert.Equal(BreakerState.Open, views.Single(v => v.Name == open).State);

        var closed = await registry.CloseAllAsync("reset-all");

        Assert.Equal((await registry.ListAsync()).Count, closed.Count);
        Assert.All(closed, v => Assert.Equal(BreakerState.Closed, v.State));
        Assert.Equal(BreakerState.Closed, (await Breaker(isolated).GetAsync()).State);
        Assert.Equal("closed by hand: reset-all", (await Breaker(open).GetAsync()).Transitions[^1].Reason);
    }
}
