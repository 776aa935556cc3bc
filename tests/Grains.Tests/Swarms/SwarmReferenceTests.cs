using OrleansAgents.Grains.Swarms;
using OrleansAgents.Swarms;
using Xunit.Abstractions;

namespace OrleansAgents.Tests.Swarms;

/// <summary>The algorithm itself, on the in-process reference (the fan-out is held identical to it in <see cref="OptimizationGrainTests"/>).</summary>
public sealed class SwarmReferenceTests(ITestOutputHelper output)
{
    private const int Seeds = 30;
    private const int Budget = 200_000;

    public static OptimizationSpec Spec(string function, int dimensions, int iterations, long seed, double? target = null, int swarmSize = SwarmRules.DefaultSwarmSize)
    {
        BenchmarkFunctions.TryGet(function, out var f);
        return new OptimizationSpec(function, null, null, dimensions, [.. Enumerable.Repeat(f!.Min, dimensions)], [.. Enumerable.Repeat(f.Max, dimensions)],
            swarmSize, iterations, seed, new SwarmParameters(SwarmRules.DefaultInertia, SwarmRules.DefaultAcceleration, SwarmRules.DefaultAcceleration, 3),
            target, "tester");
    }

    /// <summary>
    /// The classic SPSO success thresholds on 30 dimensions within 200,000 evaluations (40 particles,
    /// 4,999 iterations after the initial swarm), in at least 95 % of 30 seeds. Runs stop at the
    /// threshold, so only failures cost the whole budget.
    /// </summary>
    [Theory]
    [InlineData("sphere", 0.01)]
    [InlineData("rosenbrock", 100)]
    [InlineData("rastrigin", 100)]
    [InlineData("griewank", 0.1)]
    public void ThirtyDimensions_ReachTheClassicThreshold_InAtLeast95PercentOfSeeds(string function, double threshold)
    {
        var iterations = (Budget / SwarmRules.DefaultSwarmSize) - 1;
        var results = new (double Best, long Evaluations)[Seeds];
        Parallel.For(0, Seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
        {
            var run = ReferenceSwarm.Run(Spec(function, 30, iterations, 1000 + seed, threshold), 100);
            results[seed] = (run.BestValue!.Value, run.Evaluations);
        });

        var successes = results.Count(r => r.Best <= threshold && r.Evaluations <= Budget);
        output.WriteLine($"{function}: {successes}/{Seeds} reached {threshold}; evaluations mean {results.Average(r => r.Evaluations):F0}, worst best {results.Max(r => r.Best):G4}");
        Assert.True(successes >= 29, $"{function}: only {successes} of {Seeds} seeds reached {threshold} within {Budget} evaluations");
    }
}
