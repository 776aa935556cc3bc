using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;

namespace OrleansAgents.Bench;

/// <summary>
/// The fastest single-threaded in-memory form we could write (rows normalised into flat arrays,
/// then the same iteration as the partitions): a harder yardstick than the dictionary reference.
/// </summary>
internal static class ArrayEigenTrust
{
    public static double[] Compute(IReadOnlyDictionary<string, IReadOnlyList<LocalTrustEntry>> rows, IReadOnlyList<string> peers,
        IReadOnlySet<string> preTrusted, EigenTrustParameters parameters, out int iterations)
    {
        var index = new Dictionary<string, int>(peers.Count, StringComparer.Ordinal);
        for (var i = 0; i < peers.Count; i++)
        {
            index[peers[i]] = i;
        }

        var rowStart = new int[peers.Count + 1];
        var targets = new List<int>();
        var weights = new List<double>();
        for (var i = 0; i < peers.Count; i++)
        {
            if (rows.TryGetValue(peers[i], out var row))
            {
                foreach (var (target, c) in EigenTrust.Normalize(peers[i], row, index.ContainsKey))
                {
                    targets.Add(index[target]);
                    weights.Add(c);
                }
            }

            rowStart[i + 1] = targets.Count;
        }

        var (to, w) = (targets.ToArray(), weights.ToArray());
        var p = EigenTrust.PreTrusted(peers, preTrusted);
        var t = (double[])p.Clone();
        var next = new double[t.Length];
        iterations = 0;
        var residual = double.PositiveInfinity;
        while (iterations < parameters.MaxIterations && residual >= parameters.Epsilon)
        {
            Array.Clear(next);
            var dangling = 0.0;
            for (var i = 0; i < t.Length; i++)
            {
                if (rowStart[i] == rowStart[i + 1])
                {
                    dangling += t[i];
                }

                for (var e = rowStart[i]; e < rowStart[i + 1]; e++)
                {
                    next[to[e]] += w[e] * t[i];
                }
            }

            residual = 0;
            for (var j = 0; j < t.Length; j++)
            {
                next[j] = (1 - parameters.Alpha) * (next[j] + dangling * p[j]) + parameters.Alpha * p[j];
                residual += Math.Abs(next[j] - t[j]);
            }

            (t, next) = (next, t);
            iterations++;
        }

        return t;
    }
}
