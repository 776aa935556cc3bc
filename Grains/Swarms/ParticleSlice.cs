using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// Consecutive particles of one run, moved and evaluated together: a batch grain holds one, the
/// in-process reference holds one with the whole swarm. Particles never look at each other here,
/// so how the swarm is cut into slices cannot change a result.
/// </summary>
public sealed class ParticleSlice
{
    private readonly Particle[] _particles;
    private readonly double[] _lower;
    private readonly double[] _upper;
    private readonly SwarmParameters _parameters;
    private readonly double[] _scratch;

    private ParticleSlice(OptimizationSpec spec, int first, Particle[] particles)
    {
        First = first;
        _particles = particles;
        _lower = [.. spec.Lower];
        _upper = [.. spec.Upper];
        _parameters = spec.Parameters;
        _scratch = new double[2 * spec.Dimensions];
    }

    public int First { get; }

    public int Count => _particles.Length;

    public IReadOnlyList<Particle> Particles => _particles;

    /// <summary>New particles <paramref name="first"/> .. first + count - 1, not evaluated yet.</summary>
    public static ParticleSlice Create(OptimizationSpec spec, int first, int count)
    {
        double[] lower = [.. spec.Lower], upper = [.. spec.Upper];
        return new ParticleSlice(spec, first, [.. Enumerable.Range(first, count).Select(i => Particle.Create(spec.Seed, i, lower, upper))]);
    }

    public static ParticleSlice Restore(OptimizationSpec spec, int first, IReadOnlyList<ParticleSnapshot> particles) =>
        new(spec, first, [.. particles.Select(Particle.Restore)]);

    public IReadOnlyList<ParticleSnapshot> Snapshot() => [.. _particles.Select(p => p.Snapshot())];

    /// <summary>Moves every particle once; <paramref name="guides"/> as in <see cref="StepCommand.Guides"/>.</summary>
    public void Move(IReadOnlyList<IReadOnlyList<double>?> guides)
    {
        for (var i = 0; i < _particles.Length; i++)
        {
            var guide = guides[i] switch
            {
                null => null,
                double[] array => array,
                var list => [.. list],
            };
            _particles[i].Move(guide, _parameters, _lower, _upper, _scratch);
        }
    }

    public double[] Evaluate(BenchmarkFunctions.Objective objective)
    {
        var values = new double[_particles.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = objective(_particles[i].Position);
        }

        return values;
    }

    /// <summary>Takes one value per particle; returns the particles whose personal best improved (by run-wide index).</summary>
    public List<ParticleImprovement> Accept(IReadOnlyList<double> values)
    {
        var improved = new List<ParticleImprovement>();
        for (var i = 0; i < _particles.Length; i++)
        {
            if (_particles[i].Accept(values[i]))
            {
                improved.Add(new ParticleImprovement(First + i, values[i], _particles[i].Best));
            }
        }

        return improved;
    }
}
