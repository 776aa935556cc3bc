using OrleansAgents.Collective;

namespace OrleansAgents.Grains.Collective;

/// <summary>
/// Turns the stored edges into the network's analytics. Only the <c>MaxAnalysisNodes</c> nodes of
/// highest weighted degree (ties by id) are analysed; the graph for centrality and communities is
/// undirected, an edge of any kind linking its ends (weights summed over kinds and directions).
/// </summary>
public static class NetworkAnalysis
{
    public static CollaborationNetwork Analyse(
        IReadOnlyList<NetworkEdge> edges,
        Func<string, double?> trustOf,
        double? trustGini,
        IReadOnlyList<IReadOnlyList<string>>? baseline,
        DateTimeOffset? baselineAt,
        CollectiveOptions options,
        DateTimeOffset now)
    {
        var strength = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in edges)
        {
            strength[e.From] = strength.GetValueOrDefault(e.From) + e.Weight;
            strength[e.To] = strength.GetValueOrDefault(e.To) + e.Weight;
        }

        var ids = strength.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(options.MaxAnalysisNodes).Select(s => s.Key).Order(StringComparer.Ordinal).ToArray();
        var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var inside = edges.Where(e => e.From != e.To && index.ContainsKey(e.From) && index.ContainsKey(e.To)).ToList();
        var adjacency = Undirected(ids.Length, inside.Select(e => (index[e.From], index[e.To], e.Weight)));

        var betweenness = NetworkAlgorithms.Betweenness([.. adjacency.Select(a => (IReadOnlyCollection<int>)a.Keys)]);
        var labels = NetworkAlgorithms.LabelPropagation(adjacency);
        var n = ids.Length;
        var pairs = (n - 1) * (n - 2) / 2.0;
        var nodes = ids.Select((id, i) => new NetworkNode(id, adjacency[i].Count, strength[id],
                n > 1 ? adjacency[i].Count / (double)(n - 1) : 0, pairs > 0 ? betweenness[i] / pairs : 0, ids[labels[i]], trustOf(id)))
            .OrderByDescending(x => x.WeightedDegree).ThenBy(x => x.Id, StringComparer.Ordinal)
            .ToList();

        var groups = Enumerable.Range(0, n).GroupBy(i => labels[i]).Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<string>)[.. g.Select(i => ids[i])]).ToList();
        var communities = groups
            .Select(m => new NetworkCommunity(m[0], m, baseline is not null && !baseline.Any(b => Jaccard(b, m) >= 0.5)))
            .OrderByDescending(c => c.Members.Count).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
        var signals = new NetworkSignals(trustGini, [.. communities.Where(c => c.New).Select(c => c.Id)],
            NetworkCollusion.Find(ids, inside.Where(e => e.Kind == NetworkEdgeKind.Rating).ToList(), options), baselineAt);
        return new CollaborationNetwork(nodes, [.. inside.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).ThenBy(e => e.Kind)],
            communities, signals, strength.Count, n, now);
    }

    /// <summary>The <paramref name="limit"/> nodes of highest weighted degree and the edges among them.</summary>
    public static CollaborationNetwork Page(CollaborationNetwork network, int limit)
    {
        var nodes = network.Nodes.Take(limit).ToList();
        var kept = nodes.Select(x => x.Id).ToHashSet(StringComparer.Ordinal);
        return network with { Nodes = nodes, Edges = [.. network.Edges.Where(e => kept.Contains(e.From) && kept.Contains(e.To))] };
    }

    public static Dictionary<int, double>[] Undirected(int n, IEnumerable<(int From, int To, double Weight)> edges)
    {
        var adjacency = new Dictionary<int, double>[n];
        for (var i = 0; i < n; i++)
        {
            adjacency[i] = [];
        }

        foreach (var (from, to, weight) in edges)
        {
            if (from == to || weight <= 0)
            {
                continue;
            }

            adjacency[from][to] = adjacency[from].GetValueOrDefault(to) + weight;
            adjacency[to][from] = adjacency[to].GetValueOrDefault(from) + weight;
        }

        return adjacency;
    }

    private static double Jaccard(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var set = a.ToHashSet(StringComparer.Ordinal);
        var common = b.Count(set.Contains);
        return common / (double)(a.Count + b.Count - common);
    }
}
