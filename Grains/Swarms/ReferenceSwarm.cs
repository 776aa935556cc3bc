using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// The in-process reference: the whole swarm in one slice, one loop. The grains split the same
/// work across batch grains; the tests and the bench hold them to the same numbers.
/// </summary>
public static class ReferenceSwarm
{
    public static SwarmProgress Run(OptimizationSpec spec, int historyCap)
    {
        if (spec.Function is null || !BenchmarkFunctions.TryGet(spec.Function, out var function))
        {
            throw new ArgumentException("The reference runs built-in functions only.", nameof(spec));
        }

        var slice = ParticleSlice.Create(spec, 0, spec.SwarmSize);
        var progress = SwarmProgress.Create(spec);
        progress.Complete(slice.Accept(slice.Evaluate(function.Evaluate)), spec.SwarmSize, historyCap);
        while (!IsDone(spec, progress))
        {
            slice.Move(progress.Guides());
            progress.Complete(slice.Accept(slice.Evaluate(function.Evaluate)), spec.SwarmSize, historyCap);
        }

        return progress;
    }

    /// <summary>All iterations done, or the target value reached.</summary>
    public static bool IsDone(OptimizationSpec spec, SwarmProgress progress) =>
        progress.Iteration >= spec.Iterations || (spec.TargetValue is { } target && progress.BestValue <= target);
}
