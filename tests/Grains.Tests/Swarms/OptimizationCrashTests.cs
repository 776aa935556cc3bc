using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Swarms;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Swarms;

/// <summary>
/// The restart promise on real storage: PostgreSQL grain state and reminders, two silos. Kill the
/// silo hosting a running optimisation's coordinator; its reminder resumes the run on the other
/// silo from the last checkpoint, and the result is still the reference's, bit for bit.
/// </summary>
public sealed class OptimizationCrashTests : PostgresCrashTest
{
    private readonly ParaboloidProbe _probe = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Swarms:ParticlesPerBatch"] = "5",
        ["Swarms:CheckpointEvery"] = "3",
        ["Swarms:WatchdogInterval"] = "00:00:01",
        ["Swarms:HistoryPoints"] = SwarmClusterFixture.HistoryPoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tasks:WatchdogInterval"] = "00:00:02",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton(_probe);
        silo.Services.AddSkill<ParaboloidSkill>(SkillRegistry.AnyCapability);
    }

    public override async Task DisposeAsync()
    {
        _probe.Gate.TrySetResult();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task KillingTheCoordinatorsSilo_ResumesTheRunFromItsCheckpoint_WithTheReferenceResult()
    {
        var client = Client;
        await client.GetGrain<IAgentGrain>("crash-math").RegisterAsync(
            new AgentSpec("math", null, [SwarmClusterFixture.Capability], 64, new Dictionary<string, string>()));
        _probe.HoldAfter = (10 * 5) + 2; // inside iteration 4, after the checkpoint at 3
        var grain = client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        await grain.StartAsync(OptimizationGrainTests.Request(null, 3, 8, 77, 10, ParaboloidSkill.SkillName, [new SearchBound(-4, 4)]));
        await SwarmClusterFixture.WaitForAsync(() => Task.FromResult(_probe.Held), held => held > 0, "an evaluation to be held");

        var host = await KillHostOfAsync(grain);
        _probe.Gate.TrySetResult();

        // Nobody calls the optimisation until its reminder has brought it back on the survivor.
        var management = client.GetGrain<IManagementGrain>(0);
        await SwarmClusterFixture.WaitForAsync(() => management.GetActivationAddress(grain).AsTask(), a => a is not null && !a.Equals(host),
            "the reminder to reactivate the coordinator");
        var view = await SwarmClusterFixture.WaitForAsync(async () => (await grain.GetAsync())!, v => SwarmRules.IsFinished(v.Status), "the optimisation to finish");
        OptimizationGrainTests.AssertSameAsReference(view, ParaboloidSkill.Evaluate);
    }
}
