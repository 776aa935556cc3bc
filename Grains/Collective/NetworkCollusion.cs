using OrleansAgents.Collective;

namespace OrleansAgents.Grains.Collective;

/// <summary>
/// Collusion warnings. Clusters are the communities (label propagation) of the graph of net
/// satisfied ratings (i–j linked when i rated j, or j rated i, more satisfied than unsatisfied).
/// A cluster of at least CollusionMinMembers is flagged when it is dense — at least
/// CollusionMinDensity of its ordered member pairs rate net satisfied — while the rating weight its
/// members got from non-members (at least CollusionMinOutsideRatings) is mostly unsatisfied (satisfied
/// share at most CollusionMaxOutsideSatisfaction). A group that praises itself and is praised by
/// others is not flagged; nor is one nobody outside has rated (nothing to compare with).
/// </summary>
public static class NetworkCollusion
{
    public static IReadOnlyList<CollusionWarning> Find(IReadOnlyList<string> ids, IReadOnlyList<NetworkEdge> ratings, CollectiveOptions options)
    {
        var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var net = new Dictionary<(int, int), (double Satisfied, double Unsatisfied)>();
        foreach (var r in ratings)
        {
            var key = (index[r.From], index[r.To]);
            var (s, u) = net.GetValueOrDefault(key);
            net[key] = (s + r.Positive, u + r.Negative);
        }

        var positive = net.Where(p => p.Value.Satisfied > p.Value.Unsatisfied)
            .Select(p => (p.Key.Item1, p.Key.Item2, p.Value.Satisfied - p.Value.Unsatisfied));
        var labels = NetworkAlgorithms.LabelPropagation(NetworkAnalysis.Undirected(ids.Count, positive));

        var warnings = new List<CollusionWarning>();
        foreach (var cluster in Enumerable.Range(0, ids.Count).GroupBy(i => labels[i]).Where(g => g.Count() >= options.CollusionMinMembers))
        {
            var members = cluster.ToHashSet();
            var k = members.Count;
            var dense = net.Count(p => members.Contains(p.Key.Item1) && members.Contains(p.Key.Item2) && p.Value.Satisfied > p.Value.Unsatisfied);
            var density = dense / (double)(k * (k - 1));
            var outside = net.Where(p => !members.Contains(p.Key.Item1) && members.Contains(p.Key.Item2)).ToList();
            var satisfied = outside.Sum(p => p.Value.Satisfied);
            var total = satisfied + outside.Sum(p => p.Value.Unsatisfied);
            if (density >= options.CollusionMinDensity && total > 0 && total >= options.CollusionMinOutsideRatings
                && satisfied / total <= options.CollusionMaxOutsideSatisfaction)
            {
                warnings.Add(new CollusionWarning([.. members.Order().Select(i => ids[i])], density, satisfied / total, total,
                    outside.Select(p => p.Key.Item1).Distinct().Count()));
            }
        }

        return warnings;
    }
}
