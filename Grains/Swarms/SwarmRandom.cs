namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// xoshiro256** with SplitMix64 seeding: small, fast, and its whole state is four words, so a
/// particle's stream can be checkpointed and resumed exactly. Every particle has its own stream
/// derived from (seed, particle), so which batch or thread moves it cannot change its draws.
/// </summary>
public sealed class SwarmRandom
{
    private ulong _s0, _s1, _s2, _s3;

    private SwarmRandom(ulong s0, ulong s1, ulong s2, ulong s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>The stream of particle <paramref name="stream"/> - 1; stream 0 belongs to the topology.</summary>
    public static SwarmRandom ForStream(long seed, long stream)
    {
        var x = unchecked((ulong)seed ^ ((ulong)stream * 0xD1342543DE82EF95UL));
        return new SwarmRandom(SplitMix(ref x), SplitMix(ref x), SplitMix(ref x), SplitMix(ref x));
    }

    public static SwarmRandom Restore(IReadOnlyList<ulong> state) =>
        state.Count == 4 ? new SwarmRandom(state[0], state[1], state[2], state[3]) : throw new ArgumentException("A stream state is four words.", nameof(state));

    public ulong[] Save() => [_s0, _s1, _s2, _s3];

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (NextDouble() * (max - min));

    /// <summary>Uniform in [0, n), by multiply-shift.</summary>
    public int NextInt(int n) => (int)(((NextUInt64() >> 32) * (ulong)n) >> 32);

    /// <summary>Standard normal by Box-Muller (two uniforms per draw, no cached spare: the state stays four words).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
