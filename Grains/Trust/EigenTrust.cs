using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>Parameters of one computation.</summary>
public sealed record class EigenTrustParameters(double Alpha, double Epsilon, int MaxIterations)
{
    public static EigenTrustParameters From(TrustOptions o) => new(o.Alpha, o.Epsilon, o.MaxIterations);
}

public sealed record class EigenTrustResult(IReadOnlyDictionary<string, double> Trust, int Iterations, double Residual);

/// <summary>
/// EigenTrust (Kamvar, Schlosser, Garcia-Molina 2003). Row normalisation is shared by the grain
/// fan-out and <see cref="Reference"/>, the plain in-memory implementation the fan-out is checked against.
/// </summary>
public static class EigenTrust
{
    /// <summary>
    /// c_ij = max(s_ij, 0) / Σ_j max(s_ij, 0) over the targets <paramref name="isKnown"/> accepts
    /// (never the rater itself). Empty when no target has a positive score: the caller then uses p.
    /// </summary>
    public static List<(string Target, double C)> Normalize(string rater, IEnumerable<LocalTrustEntry> entries, Func<string, bool> isKnown)
    {
        var positive = new List<(string Target, double C)>();
        var sum = 0.0;
        foreach (var e in entries)
        {
            var s = e.Score;
            if (s > 0 && e.Target != rater && isKnown(e.Target))
            {
                positive.Add((e.Target, s));
                sum += s;
            }
        }

        for (var i = 0; i < positive.Count; i++)
        {
            positive[i] = (positive[i].Target, positive[i].C / sum);
        }

        return positive;
    }

    /// <summary>
    /// The pre-trusted distribution: uniform over <paramref name="preTrusted"/> (those among the
    /// peers), or over all peers when none is.
    /// </summary>
    public static double[] PreTrusted(IReadOnlyList<string> peers, IReadOnlySet<string> preTrusted)
    {
        var p = new double[peers.Count];
        var members = 0;
        for (var i = 0; i < peers.Count; i++)
        {
            if (preTrusted.Contains(peers[i]))
            {
                p[i] = 1;
                members++;
            }
        }

        if (members == 0)
        {
            Array.Fill(p, 1.0);
            members = peers.Count;
        }

        for (var i = 0; i < p.Length; i++)
        {
            p[i] /= members;
        }

        return p;
    }

    /// <summary>
    /// t⁰ = p; t^(k+1) = (1 − a)·Cᵀ·t^k + a·p until ‖t^(k+1) − t^k‖₁ &lt; ε or MaxIterations.
    /// Dictionaries and strings throughout, as the paper writes it: the yardstick, not the fast path.
    /// </summary>
    public static EigenTrustResult Reference(
        IReadOnlyDictionary<string, IReadOnlyList<LocalTrustEntry>> rows,
        IReadOnlyList<string> peers,
        IReadOnlySet<string> preTrusted,
        EigenTrustParameters parameters)
    {
        var known = peers.ToHashSet(StringComparer.Ordinal);
        var pArray = PreTrusted(peers, preTrusted);
        var p = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < peers.Count; i++)
        {
            p[peers[i]] = pArray[i];
        }

        var c = new Dictionary<string, List<(string Target, double C)>>(StringComparer.Ordinal);
        foreach (var peer in peers)
        {
            c[peer] = rows.TryGetValue(peer, out var row) ? Normalize(peer, row, known.Contains) : [];
        }

        var t = new Dictionary<string, double>(p, StringComparer.Ordinal);
        var iterations = 0;
        var residual = double.PositiveInfinity;
        while (iterations < parameters.MaxIterations && residual >= parameters.Epsilon)
        {
            var next = peers.ToDictionary(id => id, _ => 0.0, StringComparer.Ordinal);
            var dangling = 0.0;
            foreach (var peer in peers)
            {
                var row = c[peer];
                if (row.Count == 0)
                {
                    // An empty row trusts as p does: its whole mass is spread by p below.
                    dangling += t[peer];
                    continue;
                }

                foreach (var (target, cij) in row)
                {
                    next[target] += cij * t[peer];
                }
            }

            residual = 0;
            foreach (var peer in peers)
            {
                var value = (1 - parameters.Alpha) * (next[peer] + dangling * p[peer]) + parameters.Alpha * p[peer];
                residual += Math.Abs(value - t[peer]);
                next[peer] = value;
            }

            t = next;
            iterations++;
        }

        return new EigenTrustResult(t, iterations, residual);
    }
}
