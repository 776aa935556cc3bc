using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansAgents.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansAgents.Tests;

/// <summary>Real silos on PostgreSQL and Redis, built exactly as the Silo host builds them.</summary>
public sealed class DurableClusterTests : IAsyncLifetime
{
    private readonly string _clusterId = "it-" + Guid.NewGuid().ToString("N")[..10];
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task FullClusterRestart_ReadsAgentsBackUnchanged()
    {
        var capability = "restart-" + Guid.NewGuid().ToString("N")[..8];
        string before;
        await using (var silo = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId))
        using (var client = await silo.ConnectClientAsync(_clusterId))
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            await grains.GetGrain<IAgentGrain>("keeper").RegisterAsync(Spec(capability));
            await grains.GetGrain<IAgentGrain>("changer").RegisterAsync(Spec(capability));
            await grains.GetGrain<IAgentGrain>("changer").UpdateAsync(Spec(capability) with { Name = "Changed", MaxConcurrentTasks = 9 });
            await grains.GetGrain<IAgentGrain>("leaver").RegisterAsync(Spec(capability));
            await grains.GetGrain<IAgentGrain>("leaver").RetireAsync();
            before = await SnapshotAsync(grains);
            await client.StopAsync();
        }

        await using (var fresh = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId))
        using (var client = await fresh.ConnectClientAsync(_clusterId))
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            Assert.Equal(before, await SnapshotAsync(grains));

            var offered = await grains.GetGrain<ICapabilityIndexGrain>(capability).ListAsync(null, 10);
            Assert.Equal(["changer", "keeper"], offered.Ids);
            var counts = await grains.GetGrain<IAgentCatalogGrain>(0).CountByStatusAsync();
            Assert.Equal(1, counts.Retired);
            await client.StopAsync();
        }
    }

    [Fact]
    public async Task TwoSilos_JoinThroughRedis_AndServeTheSameAgentsThroughEitherGateway()
    {
        await using var first = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId);
        await using var second = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId);

        // Membership lives in Redis: both silos are there and active.
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestEnvironment.Redis);
        var members = await redis.GetDatabase().HashGetAllAsync($"{_clusterId}/members/{_clusterId}");
        Assert.Equal(2, members.Count(m => m.Name.ToString().StartsWith('S')));

        using var viaFirst = await first.ConnectClientAsync(_clusterId);
        using var viaSecond = await second.ConnectClientAsync(_clusterId);
        var management = viaFirst.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

        await viaFirst.Services.GetRequiredService<IClusterClient>().GetGrain<IAgentGrain>("shared").RegisterAsync(Spec("both"));
        var read = await viaSecond.Services.GetRequiredService<IClusterClient>().GetGrain<IAgentGrain>("shared").GetAsync();
        Assert.NotNull(read);
        Assert.Equal("Worker", read.Name);

        using var http = new HttpClient();
        foreach (var silo in new[] { first, second })
        {
            var ready = await http.GetAsync(new Uri(silo.HttpAddress, "/health/ready"));
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"postgres\"", body, StringComparison.Ordinal);
            Assert.Contains("\"redis\"", body, StringComparison.Ordinal);
            Assert.Contains("\"membership\"", body, StringComparison.Ordinal);
        }

        var metrics = await http.GetStringAsync(new Uri(first.HttpAddress, "/metrics"));
        Assert.Contains("orleansagents_agents_registered{status=\"idle\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("microsoft_orleans_", metrics, StringComparison.Ordinal);

        await viaFirst.StopAsync();
        await viaSecond.StopAsync();
    }

    [Fact]
    public async Task ReminderTable_RoundTripsThroughPostgres()
    {
        await using var silo = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId);
        var table = silo.App.Services.GetRequiredService<IReminderTable>();
        var grainId = GrainId.Create("agent", "reminded");
        var start = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        var etag = await table.UpsertRow(new ReminderEntry { GrainId = grainId, ReminderName = "tick", StartAt = start, Period = TimeSpan.FromMinutes(10) });
        var row = await table.ReadRow(grainId, "tick");
        Assert.NotNull(row);
        Assert.NotNull(etag);
        var all = await table.ReadRows(grainId);
        var inRange = await table.ReadRows(0, uint.MaxValue);

        Assert.Equal(start, row.StartAt.ToUniversalTime());
        Assert.Equal(TimeSpan.FromMinutes(10), row.Period);
        Assert.Equal(etag, row.ETag);
        Assert.Single(all.Reminders);
        Assert.Contains(inRange.Reminders, r => r.ReminderName == "tick");
        Assert.False(await table.RemoveRow(grainId, "tick", "999"));
        Assert.True(await table.RemoveRow(grainId, "tick", etag));
        Assert.Empty((await table.ReadRows(grainId)).Reminders);
    }

    private static readonly string[] SnapshotIds = ["keeper", "changer", "leaver"];

    private static AgentSpec Spec(string capability) =>
        new("Worker", "does work", [capability], 2, new Dictionary<string, string> { ["zone"] = "a" });

    private static async Task<string> SnapshotAsync(IClusterClient grains)
    {
        var views = await Task.WhenAll(SnapshotIds.Select(id => grains.GetGrain<IAgentGrain>(id).GetAsync().AsTask()));
        // Status is derived from the clock, so compare everything else.
        return JsonSerializer.Serialize(views.Select(v => v! with { Status = AgentStatus.Idle }));
    }
}
