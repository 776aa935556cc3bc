using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// One SPSO-2011 particle: position, velocity, personal best and its own random stream. A personal
/// best array is replaced, never written in place, so it can be handed out without copying.
/// </summary>
public sealed class Particle
{
    private Particle(double[] position, double[] velocity, double[] best, double bestValue, SwarmRandom random)
    {
        Position = position;
        Velocity = velocity;
        Best = best;
        BestValue = bestValue;
        Random = random;
    }

    public double[] Position { get; }

    public double[] Velocity { get; }

    public double[] Best { get; private set; }

    public double BestValue { get; private set; }

    public SwarmRandom Random { get; }

    /// <summary>Particle <paramref name="index"/> of a run: uniform position, velocity uniform in [min - x, max - x) (SPSO-2011).</summary>
    public static Particle Create(long seed, int index, double[] lower, double[] upper)
    {
        var random = SwarmRandom.ForStream(seed, index + 1L);
        var position = new double[lower.Length];
        var velocity = new double[lower.Length];
        for (var d = 0; d < position.Length; d++)
        {
            position[d] = random.NextDouble(lower[d], upper[d]);
            velocity[d] = random.NextDouble(lower[d] - position[d], upper[d] - position[d]);
        }

        return new Particle(position, velocity, (double[])position.Clone(), double.PositiveInfinity, random);
    }

    public static Particle Restore(ParticleSnapshot s) =>
        new([.. s.Position], [.. s.Velocity], [.. s.Best], s.BestValue, SwarmRandom.Restore(s.Random));

    public ParticleSnapshot Snapshot() => new((double[])Position.Clone(), (double[])Velocity.Clone(), Best, BestValue, Random.Save());

    /// <summary>
    /// SPSO-2011 move: G is the centre of x, x + c1 (p - x) and x + c2 (l - x) (without the last when
    /// the particle is its own best informant); x' is drawn in the hypersphere around G of radius
    /// |G - x| with a uniform direction and a uniform radius (as the SPSO-2011 reference code does:
    /// not uniform in volume, which in 30 dimensions would put nearly every draw on the surface and
    /// stall the search); v = w v + x' - x; x = x + v; a coordinate leaving the bounds is put on the
    /// bound and its velocity reversed and halved.
    /// </summary>
    public void Move(double[]? guide, SwarmParameters parameters, double[] lower, double[] upper, Span<double> scratch)
    {
        var dimensions = Position.Length;
        var centre = scratch[..dimensions];
        var direction = scratch.Slice(dimensions, dimensions);
        double radius2 = 0, norm2 = 0;
        for (var d = 0; d < dimensions; d++)
        {
            var x = Position[d];
            var p = x + (parameters.C1 * (Best[d] - x));
            centre[d] = guide is null ? (x + p) / 2 : (x + p + x + (parameters.C2 * (guide[d] - x))) / 3;
            radius2 += (centre[d] - x) * (centre[d] - x);
        }

        for (var d = 0; d < dimensions; d++)
        {
            direction[d] = Random.NextGaussian();
            norm2 += direction[d] * direction[d];
        }

        var radius = Math.Sqrt(radius2) * Random.NextDouble();
        var scale = norm2 > 0 ? radius / Math.Sqrt(norm2) : 0;
        for (var d = 0; d < dimensions; d++)
        {
            var target = centre[d] + (scale * direction[d]);
            Velocity[d] = (parameters.Inertia * Velocity[d]) + target - Position[d];
            Position[d] += Velocity[d];
            if (Position[d] < lower[d])
            {
                Position[d] = lower[d];
                Velocity[d] *= -0.5;
            }
            else if (Position[d] > upper[d])
            {
                Position[d] = upper[d];
                Velocity[d] *= -0.5;
            }
        }
    }

    /// <summary>Takes the value of the current position; true when it is a new personal best.</summary>
    public bool Accept(double value)
    {
        if (!(value < BestValue))
        {
            return false;
        }

        Best = (double[])Position.Clone();
        BestValue = value;
        return true;
    }
}
