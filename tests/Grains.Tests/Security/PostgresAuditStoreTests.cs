using Npgsql;
using OrleansAgents.Security;
using OrleansAgents.Silo.Storage;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Security;

/// <summary>The audit log in a real, migrated PostgreSQL database.</summary>
public sealed class PostgresAuditStoreTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private PostgresAuditStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        _store = new PostgresAuditStore(_dataSource);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static AuditEntry Entry(string actor, string action, string? target = null, string? detail = null) =>
        new(0, default, actor, action, target, AuditOutcomes.Succeeded, "127.0.0.1", detail);

    private static AuditQuery Query(int limit = 50, string? actor = null, string? action = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, long? beforeId = null) =>
        new(actor, action, from, to, limit, beforeId);

    [Fact]
    public async Task Append_AssignsIdAndTime_AndQueryReturnsNewestFirst()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var first = await _store.AppendAsync(Entry("alice", AuditActions.BreakerIsolated, "http:a", "reason: maintenance"));
        var second = await _store.AppendAsync(Entry("bob", AuditActions.RateLimitReset, "user-1"));

        Assert.True(second.Id > first.Id);
        Assert.True(first.At > before);
        var page = await _store.QueryAsync(Query());
        Assert.Equal([second.Id, first.Id], page.Items.Select(e => e.Id));
        Assert.Null(page.NextBeforeId);
        var stored = page.Items[1];
        Assert.Equal(("alice", AuditActions.BreakerIsolated, "http:a", AuditOutcomes.Succeeded, "127.0.0.1", "reason: maintenance"),
            (stored.Actor, stored.Action, stored.Target, stored.Outcome, stored.Source, stored.Detail));
        Assert.Equal(first.At, stored.At);
    }

    [Fact]
    public async Task Append_CutsOverlongFields_InsteadOfFailing()
    {
        var stored = await _store.AppendAsync(Entry(new string('a', 500), AuditActions.UserUpdated, new string('t', 900), new string('d', 5000)));

        var read = Assert.Single((await _store.QueryAsync(Query())).Items);
        Assert.Equal(AuditRules.MaxDetailLength, read.Detail!.Length);
        Assert.Equal(AuditRules.MaxActorLength, read.Actor.Length);
        Assert.Equal(AuditRules.MaxTargetLength, read.Target!.Length);
        Assert.Equal(stored.Id, read.Id);
    }

    [Fact]
    public async Task Query_FiltersByActorAndAction()
    {
        await _store.AppendAsync(Entry("alice", AuditActions.BreakerIsolated));
        await _store.AppendAsync(Entry("alice", AuditActions.RateLimitReset));
        await _store.AppendAsync(Entry("bob", AuditActions.BreakerIsolated));

        var alice = await _store.QueryAsync(Query(actor: "alice"));
        var isolations = await _store.QueryAsync(Query(action: AuditActions.BreakerIsolated));
        var both = await _store.QueryAsync(Query(actor: "bob", action: AuditActions.BreakerIsolated));
        var none = await _store.QueryAsync(Query(actor: "bob", action: AuditActions.RateLimitReset));

        Assert.Equal([AuditActions.RateLimitReset, AuditActions.BreakerIsolated], alice.Items.Select(e => e.Action));
        Assert.Equal(["bob", "alice"], isolations.Items.Select(e => e.Actor));
        Assert.Equal("bob", Assert.Single(both.Items).Actor);
        Assert.Empty(none.Items);
    }

    [Fact]
    public async Task Query_TimeRange_IncludesFrom_ExcludesTo()
    {
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        for (var hour = 0; hour < 4; hour++)
        {
            await InsertAtAsync(t0.AddHours(hour), $"actor-{hour}");
        }

        // A non-UTC offset for the bounds: the same instants, written differently.
        var page = await _store.QueryAsync(Query(from: t0.AddHours(1).ToOffset(TimeSpan.FromHours(2)), to: t0.AddHours(3)));
        var open = await _store.QueryAsync(Query(from: t0.AddHours(2)));

        Assert.Equal(["actor-2", "actor-1"], page.Items.Select(e => e.Actor));
        Assert.Equal(["actor-3", "actor-2"], open.Items.Select(e => e.Actor));
    }

    [Fact]
    public async Task Query_PagesByKeyset_WithoutGapsOrRepeats()
    {
        for (var i = 0; i < 7; i++)
        {
            await _store.AppendAsync(Entry("pager", AuditActions.RateLimitTier, $"u{i}"));
            await _store.AppendAsync(Entry("other", AuditActions.RateLimitTier));
        }

        var seen = new List<string?>();
        long? before = null;
        var pages = 0;
        do
        {
            var page = await _store.QueryAsync(Query(limit: 3, actor: "pager", beforeId: before));
            seen.AddRange(page.Items.Select(e => e.Target));
            before = page.NextBeforeId;
            pages++;
        }
        while (before is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => (string?)$"u{i}"), seen);
    }

    [Fact]
    public async Task Query_ExactlyOnePageOfRows_HasNoNextPage()
    {
        for (var i = 0; i < 3; i++)
        {
            await _store.AppendAsync(Entry("x", AuditActions.Logout));
        }

        Assert.Null((await _store.QueryAsync(Query(limit: 3))).NextBeforeId);
        Assert.NotNull((await _store.QueryAsync(Query(limit: 2))).NextBeforeId);
    }

    private async Task InsertAtAsync(DateTimeOffset at, string actor)
    {
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO agents_audit_log (at, actor, action, outcome) VALUES (@at, @actor, 'test.action', 'succeeded')");
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("actor", actor);
        await command.ExecuteNonQueryAsync();
    }
}
