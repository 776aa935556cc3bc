using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Memory;
using Orleans.Storage;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Memory;

/// <summary>The registry cluster with small memory quotas and a cleanup reminder every 2 seconds.</summary>
public sealed class MemoryClusterFixture : RegistryClusterFixture
{
    public const int MaxEntries = 5;
    public const int MaxBytes = 2000;
    public const int MaxEntryBytes = 1000;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Memory:MaxEntries"] = MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Memory:MaxBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Memory:MaxEntryBytes"] = MaxEntryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Memory:MaxTimeToLive"] = "1.00:00:00",
        ["Memory:CleanupInterval"] = "00:00:02",
    };

    /// <summary>What storage holds for an agent's memory, read past the grain (expired entries included).</summary>
    public async Task<AgentMemoryState> StoredAsync(string agentId)
    {
        var storage = Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Memory);
        var state = new GrainState<AgentMemoryState>(new AgentMemoryState());
        await storage.ReadStateAsync("memory", Client.GetGrain<IAgentMemoryGrain>(agentId).GetGrainId(), state);
        return state.State ?? new AgentMemoryState();
    }

    /// <summary>Whether the agent's memory grain has its cleanup reminder registered.</summary>
    public async Task<bool> HasCleanupReminderAsync(string agentId)
    {
        var table = Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        var rows = await table.ReadRows(Client.GetGrain<IAgentMemoryGrain>(agentId).GetGrainId());
        return rows.Reminders.Any(r => r.ReminderName == AgentMemoryGrain.CleanupReminder);
    }
}
