using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// The in-process reference: the whole swarm in one slice, one loop. The grains split the same
/// work across batch grains; the tests and the bench hold them to the same numbers.
/// </summary>
public static class ReferenceSwarm
{
    /// <summary>Runs the spec's built-in function, or <paramref name="objective"/> (standing in for a skill).</summary>
    public static SwarmProgress Run(OptimizationSpec spec, int historyCap, BenchmarkFunctions.Objective? objective = null)
    {
        if (objective is null && (spec.Function is null || !BenchmarkFunctions.TryGet(spec.Function, out var function) || (objective = function.Evaluate) is null))
        {
            throw new ArgumentException("Give an objective for a spec without a built-in function.", nameof(objective));
        }

        var slice = ParticleSlice.Create(spec, 0, spec.SwarmSize);
        var progress = SwarmProgress.Create(spec);
        progress.Complete(slice.Accept(slice.Evaluate(objective)), spec.SwarmSize, historyCap);
        while (!IsDone(spec, progress))
        {
            slice.Move(progress.Guides());
            progress.Complete(slice.Accept(slice.Evaluate(objective)), spec.SwarmSize, historyCap);
        }

        return progress;
    }

    /// <summary>All iterations done, or the target value reached.</summary>
    public static bool IsDone(OptimizationSpec spec, SwarmProgress progress) =>
        progress.Iteration >= spec.Iterations || (spec.TargetValue is { } target && progress.BestValue <= target);
}
