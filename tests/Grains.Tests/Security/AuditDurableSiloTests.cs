using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansAgents.Security;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Security;

/// <summary>A silo built as Silo/Program.cs builds it keeps the audit log in PostgreSQL, not in memory.</summary>
public sealed class AuditDurableSiloTests : IAsyncLifetime
{
    private readonly string _clusterId = "audit-" + Guid.NewGuid().ToString("N")[..10];
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task DurableSilo_WritesAuditEntries_ToTheAppendOnlyTable_AndReadsThemBack()
    {
        await using var silo = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId);
        using var client = await silo.ConnectClientAsync(_clusterId);
        var log = client.Services.GetRequiredService<IClusterClient>().GetGrain<IAuditLogGrain>(0);

        await log.AppendAsync(new AuditEntry(0, default, "alice", AuditActions.BreakerIsolated, "http:x", AuditOutcomes.Succeeded, "10.1.2.3", "reason: test"));
        var page = await log.QueryAsync(new AuditQuery("alice", null, null, null, 10, null));

        Assert.Equal("http:x", Assert.Single(page.Items).Target);
        Assert.Equal("alice", await _db.ScalarAsync<string>("SELECT actor FROM agents_audit_log"));
        Assert.Equal("10.1.2.3", await _db.ScalarAsync<string>("SELECT source FROM agents_audit_log"));
        await client.StopAsync();
    }
}
