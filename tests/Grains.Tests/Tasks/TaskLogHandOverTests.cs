using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Storage;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Tasks;

namespace OrleansAgents.Tests.Tasks;

/// <summary>An agent's task log stored by an earlier version (one grain-state blob) moves to the read model.</summary>
public sealed class TaskLogHandOverTests(TaskClusterFixture fixture) : IClassFixture<TaskClusterFixture>
{
    [Fact]
    public async Task LegacyLogBlob_IsListed_KeepsNewerRows_AndIsCleared()
    {
        var agent = "ho-" + Guid.NewGuid().ToString("N")[..10];
        var at = DateTimeOffset.UtcNow;
        TaskSummary Summary(string id, TaskState state, long version, int minutes) =>
            new(id, agent, "echo", TaskPriority.Default, state, 1, at.AddMinutes(minutes), at.AddMinutes(minutes), null, version) { SubmittedBy = "tester" };
        var onlyInBlob = Summary(TaskRules.NewId(), TaskState.Succeeded, 3, 1);
        var stale = Summary(TaskRules.NewId(), TaskState.Running, 2, 2);
        var newer = stale with { State = TaskState.Failed, Version = 4 };
        await fixture.TaskLog.UpsertAsync(newer);

        var services = fixture.Cluster.Silos[0].ServiceProvider;
        var grainType = services.GetRequiredService<GrainTypeResolver>().GetGrainType(typeof(AgentTaskLogGrain));
        var grainId = GrainId.Create(grainType, agent);
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Tasks);
        var blob = new GrainState<AgentTaskLogState>(new AgentTaskLogState
        {
            Tasks = new() { [onlyInBlob.Id] = onlyInBlob, [stale.Id] = stale },
        });
        await storage.WriteStateAsync("tasklog", grainId, blob);

        var page = await fixture.Client.GetGrain<IAgentTaskLogGrain>(agent).ListAsync(null, 10, null);

        Assert.Equal([newer, onlyInBlob], page.Items);
        var after = new GrainState<AgentTaskLogState>(new AgentTaskLogState());
        await storage.ReadStateAsync("tasklog", grainId, after);
        Assert.Empty(after.State?.Tasks ?? []);
    }
}
