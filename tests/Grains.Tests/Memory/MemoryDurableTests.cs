using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Memory;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Memory;

/// <summary>Agent memory on a real silo (PostgreSQL storage and reminders), across a full restart.</summary>
public sealed class MemoryDurableTests : IAsyncLifetime
{
    private readonly string _clusterId = "mem-" + Guid.NewGuid().ToString("N")[..10];
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Memory_AndItsCleanupReminder_SurviveASiloRestart()
    {
        MemoryPage before;
        MemoryUsage usageBefore;
        await using (var silo = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId))
        using (var client = await silo.ConnectClientAsync(_clusterId))
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            await grains.GetGrain<IAgentGrain>("keeper").RegisterAsync(new AgentSpec("Keeper", null, [], 1, new Dictionary<string, string>()));
            var memory = grains.GetGrain<IAgentMemoryGrain>("keeper");
            await memory.PutAsync("notes/a", new MemoryWrite("{\"topic\":\"orleans\"}", ["research"], null));
            await memory.PutAsync("notes/b", new MemoryWrite("[1,2,3]", [], TimeSpan.FromDays(1)));
            await memory.PutAsync("notes/a", new MemoryWrite("{\"topic\":\"orleans\",\"done\":true}", ["research", "done"], null));
            await memory.DeleteAsync("notes/b");
            await memory.PutAsync("todo:1", new MemoryWrite("\"write docs\"", [], TimeSpan.FromDays(1)));
            before = await memory.ListAsync(new MemoryQuery(null, null, 50, null));
            usageBefore = await memory.GetUsageAsync();
            await client.StopAsync();
        }

        await using (var fresh = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId))
        using (var client = await fresh.ConnectClientAsync(_clusterId))
        {
            var memory = client.Services.GetRequiredService<IClusterClient>().GetGrain<IAgentMemoryGrain>("keeper");
            var after = await memory.ListAsync(new MemoryQuery(null, null, 50, null));

            Assert.Equal(["notes/a", "todo:1"], after.Items.Select(e => e.Key));
            Assert.Equal(Describe(before), Describe(after));
            Assert.Equal(usageBefore, await memory.GetUsageAsync());
            Assert.Equal(["done", "research"], (await memory.GetAsync("notes/a"))!.Tags);

            var reminders = await fresh.App.Services.GetRequiredService<IReminderTable>().ReadRows(memory.GetGrainId());
            Assert.Contains(reminders.Reminders, r => r.ReminderName == AgentMemoryGrain.CleanupReminder);
            await client.StopAsync();
        }
    }

    private static string Describe(MemoryPage page) => string.Join("\n", page.Items.Select(e =>
        $"{e.Key} {e.ValueJson} [{string.Join(",", e.Tags)}] {e.CreatedAt:O} {e.UpdatedAt:O} {e.ExpiresAt:O} {e.SizeBytes} v{e.Version}"));
}
