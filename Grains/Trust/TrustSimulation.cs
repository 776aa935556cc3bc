using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Rating graphs for checking and measuring EigenTrust (used by the tests and bench/Trust.Bench),
/// deterministic per seed.
/// </summary>
public static class TrustSimulation
{
    public static string AgentId(int i) => "agent-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A sparse random graph: each of <paramref name="agents"/> rates about <paramref name="ratingsPerAgent"/>
    /// random others, satisfied about 70 % of the time, weights 1–5; a few agents rate nobody.
    /// </summary>
    public static List<TrustRating> RandomGraph(int agents, int ratingsPerAgent, int seed)
    {
        var random = new Random(seed);
        var ratings = new List<TrustRating>(agents * ratingsPerAgent);
        for (var i = 0; i < agents; i++)
        {
            if (random.NextDouble() < 0.05)
            {
                continue;
            }

            for (var k = 0; k < ratingsPerAgent; k++)
            {
                var j = random.Next(agents - 1);
                j = j >= i ? j + 1 : j;
                var outcome = random.NextDouble() < 0.7 ? TrustOutcome.Satisfied : TrustOutcome.Unsatisfied;
                ratings.Add(new TrustRating(AgentId(i), AgentId(j), outcome, random.Next(1, 6)));
            }
        }

        return ratings;
    }

    /// <summary>
    /// Threat model B of the paper: a malicious collective (the last <paramref name="colluderShare"/>
    /// of the agents) that always answers badly and rates its own members satisfied, many times
    /// over. Honest agents interact with random peers (not chosen by trust, which is harsher than
    /// the paper): honest peers satisfy them 95 % of the time, colluders never, but an honest rater
    /// misjudges a colluder as satisfying with probability <paramref name="honestErrorRate"/>.
    /// Returns the ratings and the colluders' ids.
    /// </summary>
    public static (List<TrustRating> Ratings, HashSet<string> Colluders) ThreatModelB(
        int agents, int interactionsPerAgent, double colluderShare, int seed, double honestErrorRate = 0.02)
    {
        var random = new Random(seed);
        var firstColluder = agents - (int)Math.Round(agents * colluderShare);
        var colluders = Enumerable.Range(firstColluder, agents - firstColluder).Select(AgentId).ToHashSet(StringComparer.Ordinal);
        var ratings = new List<TrustRating>();
        for (var i = 0; i < agents; i++)
        {
            var rater = AgentId(i);
            var malicious = i >= firstColluder;
            for (var k = 0; k < interactionsPerAgent; k++)
            {
                var j = random.Next(agents - 1);
                j = j >= i ? j + 1 : j;
                var target = AgentId(j);
                var targetMalicious = j >= firstColluder;
                TrustOutcome outcome;
                if (malicious)
                {
                    outcome = targetMalicious ? TrustOutcome.Satisfied : TrustOutcome.Unsatisfied;
                }
                else if (targetMalicious)
                {
                    outcome = random.NextDouble() < honestErrorRate ? TrustOutcome.Satisfied : TrustOutcome.Unsatisfied;
                }
                else
                {
                    outcome = random.NextDouble() < 0.95 ? TrustOutcome.Satisfied : TrustOutcome.Unsatisfied;
                }

                // The collective inflates its mutual praise tenfold.
                ratings.Add(new TrustRating(rater, target, outcome, malicious && targetMalicious ? 10 : 1));
            }
        }

        return (ratings, colluders);
    }

    /// <summary>Sums ratings into rows, as the row grains do.</summary>
    public static Dictionary<string, IReadOnlyList<LocalTrustEntry>> Rows(IEnumerable<TrustRating> ratings) =>
        ratings.GroupBy(r => r.Rater, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<LocalTrustEntry>)[.. g.GroupBy(r => r.Target, StringComparer.Ordinal).Select(t => new LocalTrustEntry(
                t.Key,
                t.Where(r => r.Outcome == TrustOutcome.Satisfied).Sum(r => r.Weight),
                t.Where(r => r.Outcome == TrustOutcome.Unsatisfied).Sum(r => r.Weight)))],
            StringComparer.Ordinal);

    /// <summary>Every rater and every target, in ordinal order, plus <paramref name="extra"/> peers.</summary>
    public static List<string> Peers(IEnumerable<TrustRating> ratings, IEnumerable<string> extra)
    {
        var peers = ratings.SelectMany(r => new[] { r.Rater, r.Target }).Concat(extra).Distinct(StringComparer.Ordinal).ToList();
        peers.Sort(StringComparer.Ordinal);
        return peers;
    }
}
