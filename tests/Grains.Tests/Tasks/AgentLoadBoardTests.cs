using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>Routing by the silo's cached view of agents' loads (the fixture's clock is frozen, so nothing in it expires).</summary>
public sealed class LoadBoardClusterFixture : RegistryClusterFixture
{
    public SkillProbe Probe { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:LoadCacheDuration"] = "00:00:01",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton(Probe);
        silo.Services.AddSkill<ProbeSkill>(SkillRegistry.AnyCapability);
    }
}

public sealed class AgentLoadBoardTests(LoadBoardClusterFixture fixture) : IClassFixture<LoadBoardClusterFixture>
{
    private const string Held = """{"hold":true}""";

    [Fact]
    public async Task ABurstIsSpreadOverTheAgents_WithoutAskingEveryAgentForEveryTask()
    {
        var agents = await RegisterAsync("spread", count: 4, slots: 2);
        var fetchesBefore = Fetches();

        var tasks = new List<TaskView>();
        for (var i = 0; i < 8; i++)
        {
            tasks.Add(await SubmitAsync("spread", null, Held));
        }

        // Each silo reads each agent once (its clock does not move); asking every agent per task would be 32 reads.
        Assert.InRange(Fetches() - fetchesBefore, 4, 8);
        // A silo counts the tasks it sent since it read a load, so its decisions go to different agents;
        // what the other silo sent meanwhile it sees only in the agents' answers to its own enqueues.
        var perAgent = tasks.GroupBy(t => t.AgentId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(agents.Order(), perAgent.Keys.Order());
        Assert.InRange(perAgent.Values.Max(), 2, 3);

        fixture.Probe.Gate.Release(8);
        await WaitUntilIdleAsync(agents);
    }

    [Fact]
    public async Task AnAgentRetiredSinceItsLoadWasRead_RefusesAndTheTaskGoesToTheNext()
    {
        var agents = await RegisterAsync("stale", count: 2, slots: 2);
        var (idle, busy) = (agents[0], agents[1]);
        await SubmitAsync("stale", busy, Held);
        await SubmitAsync("stale", busy, Held);
        // Routed to the idle agent: the routing silo now holds a load saying it accepts work.
        Assert.Equal(idle, (await SubmitAsync("stale", null, Held)).AgentId);

        await fixture.Client.GetGrain<IAgentGrain>(idle).RetireAsync();

        // Whichever silo routes them: on the one whose view is stale, the retired agent ranks first,
        // refuses, and the task goes to the next candidate; none is placed on the retired agent or refused.
        for (var i = 0; i < 4; i++)
        {
            var task = await SubmitAsync("stale", null, "{}");
            Assert.Equal(busy, task.AgentId);
            Assert.Equal(TaskState.Queued, task.State);
        }

        fixture.Probe.Gate.Release(3);
        await WaitUntilIdleAsync(agents);
    }

    private long Fetches() => fixture.Cluster.GetActiveSilos()
        .Sum(s => fixture.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<AgentLoadBoard>().Fetches);

    private async Task<string[]> RegisterAsync(string capability, int count, int slots)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{capability}-{i}").ToArray();
        foreach (var id in ids)
        {
            await fixture.Client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec(id, null, [capability], slots, new Dictionary<string, string>()));
        }

        return ids;
    }

    private async Task<TaskView> SubmitAsync(string capability, string? agentId, string input)
    {
        var accepted = await fixture.Client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(new TaskSubmission(
            agentId, agentId is null ? capability : null, "test.probe", input, TaskPriority.Default, TimeSpan.FromMinutes(1), null, 1, null, "tester"));
        return accepted.Task;
    }

    private Task WaitUntilIdleAsync(IEnumerable<string> agents) => Eventually.HoldsAsync(async () =>
    {
        foreach (var id in agents)
        {
            if (await fixture.Client.GetGrain<IAgentGrain>(id).GetLoadAsync() is not { Running: 0, Queued: 0 })
            {
                return false;
            }
        }

        return true;
    }, "the agents to finish their tasks");
}
