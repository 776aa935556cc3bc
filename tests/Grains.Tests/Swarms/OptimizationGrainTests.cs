using Orleans.Core.Internal;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Swarms;

namespace OrleansAgents.Tests.Swarms;

/// <summary>The fan-out through coordinator and batch grains, held to the in-process reference bit for bit.</summary>
public sealed class OptimizationGrainTests(SwarmClusterFixture fixture) : IClassFixture<SwarmClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    public static OptimizationRequest Request(string? function, int dimensions, int iterations, long seed, int swarmSize = 40,
        string? skill = null, IReadOnlyList<SearchBound>? bounds = null, double? target = null) =>
        new(function, skill, skill is null ? null : SwarmClusterFixture.Capability, dimensions, bounds, swarmSize, iterations, seed,
            null, null, null, null, target, "swarm-tester");

    private static Task<OptimizationView> WaitFinishedAsync(IOptimizationGrain grain) =>
        SwarmClusterFixture.WaitForAsync(async () => (await grain.GetAsync())!, v => SwarmRules.IsFinished(v.Status), "the optimisation to finish");

    private async Task<OptimizationView> RunAsync(OptimizationRequest request)
    {
        var grain = _client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        var started = await grain.StartAsync(request);
        Assert.Equal(OptimizationStatus.Running, started.Status);
        return await WaitFinishedAsync(grain);
    }

    internal static void AssertSameAsReference(OptimizationView view, BenchmarkFunctions.Objective? objective = null)
    {
        var reference = ReferenceSwarm.Run(view.Spec, SwarmClusterFixture.HistoryPoints, objective);
        Assert.Equal(OptimizationStatus.Completed, view.Status);
        Assert.Equal(reference.Iteration, view.Iteration);
        Assert.Equal(reference.Evaluations, view.Evaluations);
        Assert.Equal(BitConverter.DoubleToInt64Bits(reference.BestValue!.Value), BitConverter.DoubleToInt64Bits(view.BestValue!.Value));
        Assert.Equal(reference.BestPosition!, view.BestPosition!);
        Assert.Equal(reference.Convergence(), view.History);
    }

    [Theory]
    [InlineData("rastrigin", 30, 40, 60, 1L)]
    [InlineData("sphere", 10, 40, 60, 2L)]
    [InlineData("rosenbrock", 10, 23, 60, 3L)]
    [InlineData("griewank", 5, 37, 45, 4L)]
    [InlineData("ackley", 2, 12, 80, 5L)]
    public async Task FanOut_GivesTheReferenceResult_BitForBit(string function, int dimensions, int swarmSize, int iterations, long seed)
    {
        var view = await RunAsync(Request(function, dimensions, iterations, seed, swarmSize));

        AssertSameAsReference(view);
        Assert.Equal(swarmSize * (iterations + 1L), view.Evaluations);
        Assert.InRange(view.History.Count, 2, SwarmClusterFixture.HistoryPoints + 1);
        Assert.True(view.History[^1].BestValue < view.History[0].BestValue, "the swarm improved on its initial best");
        Assert.NotNull(view.FinishedAt);
    }

    [Fact]
    public async Task TargetValue_StopsTheRunEarly_WithTheReferenceResult()
    {
        var view = await RunAsync(Request("sphere", 5, 5000, 9, 20, target: 1e-3));

        AssertSameAsReference(view);
        Assert.True(view.BestValue <= 1e-3);
        Assert.True(view.Iteration < 5000);
    }

    [Fact]
    public async Task SkillObjective_EvaluatesThroughTasks_AndMatchesTheReference()
    {
        await _client.GetGrain<IAgentGrain>("swarm-math-agent").RegisterAsync(
            new AgentSpec("math", null, [SwarmClusterFixture.Capability], 64, new Dictionary<string, string>()));
        var before = fixture.Probe.Calls;

        var view = await RunAsync(Request(null, 3, 12, 11, 10, ParaboloidSkill.SkillName, [new SearchBound(-5, 5)]));

        AssertSameAsReference(view, ParaboloidSkill.Evaluate);
        Assert.Equal(10 * 13, fixture.Probe.Calls - before);
        Assert.Equal("skill:test.paraboloid", view.Spec.Objective);
    }

    [Fact]
    public async Task Cancel_StopsARunningOptimisation_KeepingItsBestSoFar()
    {
        var grain = _client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        await grain.StartAsync(Request("rastrigin", 30, 1_000_000, 7));
        await SwarmClusterFixture.WaitForAsync(async () => (await grain.GetAsync())!, v => v.Iteration >= 3, "a few iterations");

        var cancelled = await grain.CancelAsync();

        Assert.Equal(OptimizationStatus.Cancelled, cancelled.Status);
        Assert.NotNull(cancelled.BestValue);
        Assert.Equal(30, cancelled.BestPosition!.Count);
        var again = await grain.CancelAsync();
        Assert.Equal(cancelled.Iteration, again.Iteration);
        Assert.Equal(OptimizationStatus.Cancelled, (await grain.GetAsync())!.Status);
    }

    [Theory]
    [InlineData(ErrorCodes.SwarmUnknownFunction, "himmelblau", 2, 40, 10, null)]
    [InlineData(ErrorCodes.SwarmInvalidDimensions, "sphere", 51, 40, 10, null)]
    [InlineData(ErrorCodes.SwarmInvalidDimensions, "rosenbrock", 1, 40, 10, null)]
    [InlineData(ErrorCodes.SwarmInvalidSwarmSize, "sphere", 2, 201, 10, null)]
    [InlineData(ErrorCodes.SwarmInvalidSwarmSize, "sphere", 2, 1, 10, null)]
    [InlineData(ErrorCodes.SwarmInvalidIterations, "sphere", 2, 40, 0, null)]
    [InlineData(ErrorCodes.SwarmInvalidBounds, "sphere", 2, 40, 10, "5,5")]
    [InlineData(ErrorCodes.SwarmInvalidBounds, "sphere", 3, 40, 10, "0,1;0,1")]
    [InlineData(ErrorCodes.SwarmTooManyEvaluations, null, 2, 40, 20, "0,1")]
    public async Task BadRequests_AreRefused_WithTheirCode_AndStoreNothing(string code, string? function, int dimensions, int swarmSize, int iterations, string? bounds)
    {
        var parsed = bounds?.Split(';').Select(b => b.Split(',')).Select(b => new SearchBound(double.Parse(b[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(b[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var grain = _client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        var request = Request(function, dimensions, iterations, 1, swarmSize, function is null ? ParaboloidSkill.SkillName : null, parsed);

        var ex = await Assert.ThrowsAsync<DomainException>(() => grain.StartAsync(request));

        Assert.Equal(code, ex.Code);
        Assert.Null(await grain.GetAsync());
    }

    [Fact]
    public async Task UnknownSkill_AndAmbiguousObjective_AreRefused()
    {
        var grain = _client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        var unknown = await Assert.ThrowsAsync<DomainException>(() => grain.StartAsync(Request(null, 2, 5, 1, skill: "no.such-skill", bounds: [new SearchBound(0, 1)])));
        var both = await Assert.ThrowsAsync<DomainException>(() => grain.StartAsync(Request("sphere", 2, 5, 1, skill: ParaboloidSkill.SkillName)));
        var parameters = await Assert.ThrowsAsync<DomainException>(() => grain.StartAsync(Request("sphere", 2, 5, 1) with { Inertia = double.NaN }));

        Assert.Equal(ErrorCodes.SwarmUnknownSkill, unknown.Code);
        Assert.Equal(ErrorCodes.SwarmInvalidObjective, both.Code);
        Assert.Equal(ErrorCodes.SwarmInvalidParameters, parameters.Code);
    }

    [Fact]
    public async Task List_ShowsOptimisationsNewestFirst_InPages()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var view = await RunAsync(Request("sphere", 2, 3, 100 + i, 4));
            ids.Add(view.Id);
        }

        // The index hears of a finish after the run answers: wait until it caught up (CI once read "running").
        var index = _client.GetGrain<IOptimizationIndexGrain>(0);
        var first = await Eventually.HoldsAsync(() => index.ListAsync(2, null).AsTask(),
            page => page.Items.Count == 2 && page.Items.All(i => i.Status == OptimizationStatus.Completed),
            "the index to list the newest runs as completed", describe: page => string.Join(", ", page.Items.Select(i => $"{i.Id}={i.Status}")));
        var second = await index.ListAsync(50, first.NextCursor);

        Assert.Equal([ids[2], ids[1]], first.Items.Select(i => i.Id));
        Assert.Equal(ids[0], second.Items[0].Id);
        Assert.Equal(OptimizationStatus.Completed, first.Items[0].Status);
        Assert.Equal("sphere", first.Items[0].Objective);
    }

    /// <summary>
    /// A silo restart as the run sees it: the coordinator's activation goes away mid-run and nobody
    /// calls it; its reminder brings it back on a new activation, which resumes from the last
    /// checkpoint (replaying tasks it already ran) and still ends with the reference result.
    /// </summary>
    [Fact]
    public async Task Run_ResumesFromItsCheckpoint_AfterTheCoordinatorGoesAway_WithTheSameResult()
    {
        await _client.GetGrain<IAgentGrain>("swarm-resume-agent").RegisterAsync(
            new AgentSpec("math", null, [SwarmClusterFixture.Capability], 64, new Dictionary<string, string>()));
        fixture.Probe.Reset();
        fixture.Probe.HoldAfter = fixture.Probe.Calls + (10 * 8) + 3; // inside iteration 8, after the checkpoint at 5
        var grain = _client.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        await grain.StartAsync(Request(null, 3, 12, 21, 10, ParaboloidSkill.SkillName, [new SearchBound(-5, 5)]));
        await SwarmClusterFixture.WaitForAsync(() => Task.FromResult(fixture.Probe.Held), held => held > 0, "an evaluation to be held");

        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        fixture.Probe.Gate.TrySetResult();

        var view = await WaitFinishedAsync(grain);
        AssertSameAsReference(view, ParaboloidSkill.Evaluate);
        fixture.Probe.Reset();
    }

    /// <summary>A batch grain losing its particles mid-run sends the run back to its checkpoint; the result does not change.</summary>
    [Fact]
    public async Task LosingABatch_RollsBackToTheCheckpoint_WithTheSameResult()
    {
        await _client.GetGrain<IAgentGrain>("swarm-batch-agent").RegisterAsync(
            new AgentSpec("math", null, [SwarmClusterFixture.Capability], 64, new Dictionary<string, string>()));
        fixture.Probe.Reset();
        fixture.Probe.HoldAfter = fixture.Probe.Calls + (20 * 7) + 5;
        var id = SwarmRules.NewId();
        var grain = _client.GetGrain<IOptimizationGrain>(id);
        await grain.StartAsync(Request(null, 2, 10, 31, 20, ParaboloidSkill.SkillName, [new SearchBound(-3, 3)]));
        await SwarmClusterFixture.WaitForAsync(() => Task.FromResult(fixture.Probe.Held), held => held > 0, "an evaluation to be held");

        // Batch 1 is collected as soon as it is idle (now, or once its held step returns): it loses its particles.
        var deactivation = _client.GetGrain<IParticleBatchGrain>(id + "/1").Cast<IGrainManagementExtension>().DeactivateOnIdle().AsTask();

        fixture.Probe.Gate.TrySetResult();
        await deactivation;
        var view = await WaitFinishedAsync(grain);
        AssertSameAsReference(view, ParaboloidSkill.Evaluate);
        fixture.Probe.Reset();
    }
}
