using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// What the coordinator knows of its swarm: every personal best, the random topology (who informs
/// whom) and its stream, the global best and the convergence history. The grain stores it in its
/// checkpoint; the in-process reference runs the very same code, which is why a fan-out and the
/// reference give bit-identical results.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.Swarms.SwarmProgress.v1")]
public sealed class SwarmProgress
{
    /// <summary>Iterations done after the initial evaluation (which is iteration 0).</summary>
    [Id(0)] public long Iteration { get; set; }
    [Id(1)] public long Evaluations { get; set; }
    [Id(2)] public double[] BestValues { get; set; } = [];
    [Id(3)] public double[][] Bests { get; set; } = [];

    /// <summary>Links[m] lists the particles m informs (besides itself), SPSO-2011's adaptive random topology.</summary>
    [Id(4)] public int[][] Links { get; set; } = [];
    [Id(5)] public ulong[] TopologyRandom { get; set; } = [];
    [Id(6)] public int GlobalIndex { get; set; } = -1;
    [Id(7)] public List<ConvergencePoint> History { get; set; } = [];

    /// <summary>Only iterations that are multiples of this are kept in <see cref="History"/>; doubles when the history fills.</summary>
    [Id(8)] public long HistoryStride { get; set; } = 1;

    public double? BestValue => GlobalIndex < 0 ? null : BestValues[GlobalIndex];

    public double[]? BestPosition => GlobalIndex < 0 ? null : Bests[GlobalIndex];

    public static SwarmProgress Create(OptimizationSpec spec)
    {
        var n = spec.SwarmSize;
        return new SwarmProgress
        {
            BestValues = [.. Enumerable.Repeat(double.PositiveInfinity, n)],
            Bests = new double[n][],
            Links = [.. Enumerable.Range(0, n).Select(_ => new int[spec.Parameters.Informants])],
            TopologyRandom = SwarmRandom.ForStream(spec.Seed, 0).Save(),
        };
    }

    /// <summary>For each particle, the personal best of its best informant, or null when that is itself.</summary>
    public IReadOnlyList<double[]?> Guides()
    {
        var n = BestValues.Length;
        var best = new int[n];
        for (var s = 0; s < n; s++)
        {
            best[s] = s;
        }

        for (var m = 0; m < n; m++)
        {
            foreach (var s in Links[m])
            {
                if (BestValues[m] < BestValues[best[s]])
                {
                    best[s] = m;
                }
            }
        }

        return [.. best.Select((g, s) => g == s ? null : Bests[g])];
    }

    /// <summary>
    /// Ends an iteration (or the initial evaluation when nothing was evaluated before): takes the
    /// improvements of every batch, finds the global best (lowest index on ties) and re-draws the
    /// topology when the global best did not improve (and after the initial evaluation).
    /// </summary>
    public void Complete(IEnumerable<ParticleImprovement> improvements, int evaluations, int historyCap)
    {
        var initial = Evaluations == 0;
        var previous = BestValue ?? double.PositiveInfinity;
        foreach (var p in improvements)
        {
            BestValues[p.Index] = p.Value;
            Bests[p.Index] = p.Position as double[] ?? [.. p.Position];
        }

        var global = 0;
        for (var i = 1; i < BestValues.Length; i++)
        {
            if (BestValues[i] < BestValues[global])
            {
                global = i;
            }
        }

        GlobalIndex = global;
        if (!initial)
        {
            Iteration++;
        }

        Evaluations += evaluations;
        if (initial || !(BestValues[global] < previous))
        {
            DrawTopology();
        }

        Record(historyCap);
    }

    /// <summary>The kept history, ending with the current iteration even when the stride skipped it.</summary>
    public List<ConvergencePoint> Convergence()
    {
        List<ConvergencePoint> points = [.. History];
        if (BestValue is { } best && (points.Count == 0 || points[^1].Iteration != Iteration))
        {
            points.Add(new ConvergencePoint(Iteration, Evaluations, best));
        }

        return points;
    }

    private void DrawTopology()
    {
        var random = SwarmRandom.Restore(TopologyRandom);
        var n = BestValues.Length;
        foreach (var links in Links)
        {
            for (var k = 0; k < links.Length; k++)
            {
                links[k] = random.NextInt(n);
            }
        }

        TopologyRandom = random.Save();
    }

    private void Record(int cap)
    {
        if (Iteration % HistoryStride != 0)
        {
            return;
        }

        History.Add(new ConvergencePoint(Iteration, Evaluations, BestValues[GlobalIndex]));
        if (History.Count > cap)
        {
            HistoryStride *= 2;
            History.RemoveAll(p => p.Iteration % HistoryStride != 0);
        }
    }
}
