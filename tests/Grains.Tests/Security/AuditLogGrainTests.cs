using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Security.Audit;
using OrleansAgents.Security;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Security;

/// <summary>
/// Both silos share one in-memory store, as they would share the PostgreSQL table: whichever
/// silo's stateless activation answers, it sees the same log.
/// </summary>
public sealed class AuditClusterFixture : RegistryClusterFixture
{
    public InMemoryAuditStore Store { get; } = new(TimeProvider.System);

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSingleton<IAuditStore>(Store);
}

public sealed class AuditLogGrainTests(AuditClusterFixture fixture) : IClassFixture<AuditClusterFixture>
{
    private readonly IAuditLogGrain _log = fixture.Client.GetGrain<IAuditLogGrain>(0);

    [Fact]
    public async Task Append_ThenQuery_ReturnsTheEntryNewestFirst_ThroughTheCluster()
    {
        var actor = "grain-" + Guid.NewGuid().ToString("N")[..8];
        await _log.AppendAsync(new AuditEntry(0, default, actor, AuditActions.BreakerIsolated, "http:x", AuditOutcomes.Succeeded, "10.0.0.1", "reason: test"));
        await _log.AppendAsync(new AuditEntry(0, default, actor, AuditActions.BreakerClosed, "http:x", AuditOutcomes.Succeeded, null, null));

        var page = await _log.QueryAsync(new AuditQuery(actor, null, null, null, 10, null));

        Assert.Equal([AuditActions.BreakerClosed, AuditActions.BreakerIsolated], page.Items.Select(e => e.Action));
        Assert.All(page.Items, e => Assert.True(e.Id > 0));
        Assert.Equal("10.0.0.1", page.Items[1].Source);
        Assert.Equal(2, (await fixture.Store.QueryAsync(new AuditQuery(actor, null, null, null, 10, null))).Items.Count);
    }

    [Fact]
    public async Task Query_PagesWithNextBeforeId()
    {
        var action = "test." + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 5; i++)
        {
            await _log.AppendAsync(new AuditEntry(0, default, "pager", action, $"t{i}", AuditOutcomes.Succeeded, null, null));
        }

        var first = await _log.QueryAsync(new AuditQuery(null, action, null, null, 3, null));
        var second = await _log.QueryAsync(new AuditQuery(null, action, null, null, 3, first.NextBeforeId));

        Assert.Equal(["t4", "t3", "t2"], first.Items.Select(e => e.Target));
        Assert.Equal(["t1", "t0"], second.Items.Select(e => e.Target));
        Assert.Null(second.NextBeforeId);
    }
}

public sealed class InMemoryAuditStoreTests
{
    private static AuditEntry Entry(string target) => new(0, default, "a", AuditActions.RateLimitReset, target, AuditOutcomes.Succeeded, null, null);

    [Fact]
    public async Task Append_KeepsOnlyTheNewestEntries_WhenFull()
    {
        var store = new InMemoryAuditStore(TimeProvider.System, capacity: 3);
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync(Entry($"t{i}"));
        }

        var page = await store.QueryAsync(new AuditQuery(null, null, null, null, 10, null));

        Assert.Equal(["t4", "t3", "t2"], page.Items.Select(e => e.Target));
    }

    [Fact]
    public async Task Query_TimeRange_UsesTheStoreClock()
    {
        var clock = new ManualTimeProvider();
        var store = new InMemoryAuditStore(clock);
        var start = clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await store.AppendAsync(Entry($"t{i}"));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var page = await store.QueryAsync(new AuditQuery(null, null, start.AddMinutes(1), start.AddMinutes(2), 10, null));

        Assert.Equal("t1", Assert.Single(page.Items).Target);
    }

    [Fact]
    public async Task Append_CutsTheDetail_AndNeverSplitsASurrogatePair()
    {
        var store = new InMemoryAuditStore(TimeProvider.System);
        var detail = new string('x', AuditRules.MaxDetailLength - 1) + "😀😀";

        var stored = await store.AppendAsync(Entry("t") with { Detail = detail });

        Assert.Equal(AuditRules.MaxDetailLength - 1, stored.Detail!.Length);
    }
}
