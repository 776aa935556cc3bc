namespace OrleansAgents.Grains.Collective;

/// <summary>Graph algorithms of the network analytics, on nodes 0..n−1 with undirected weighted adjacency.</summary>
public static class NetworkAlgorithms
{
    /// <summary>
    /// Brandes' betweenness on the undirected, unweighted graph: for each node, the number of
    /// shortest paths between other pairs that pass through it (each unordered pair counted once).
    /// O(n·m) time, O(n + m) memory.
    /// </summary>
    public static double[] Betweenness(IReadOnlyList<IReadOnlyCollection<int>> adjacency)
    {
        var n = adjacency.Count;
        var centrality = new double[n];
        var sigma = new double[n];
        var distance = new int[n];
        var delta = new double[n];
        var predecessors = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            predecessors[i] = [];
        }

        var stack = new Stack<int>(n);
        var queue = new Queue<int>(n);
        for (var s = 0; s < n; s++)
        {
            for (var i = 0; i < n; i++)
            {
                predecessors[i].Clear();
                sigma[i] = 0;
                distance[i] = -1;
                delta[i] = 0;
            }

            sigma[s] = 1;
            distance[s] = 0;
            queue.Enqueue(s);
            while (queue.Count > 0)
            {
                var v = queue.Dequeue();
                stack.Push(v);
                foreach (var w in adjacency[v])
                {
                    if (distance[w] < 0)
                    {
                        distance[w] = distance[v] + 1;
                        queue.Enqueue(w);
                    }

                    if (distance[w] == distance[v] + 1)
                    {
                        sigma[w] += sigma[v];
                        predecessors[w].Add(v);
                    }
                }
            }

            while (stack.Count > 0)
            {
                var w = stack.Pop();
                foreach (var v in predecessors[w])
                {
                    delta[v] += sigma[v] / sigma[w] * (1 + delta[w]);
                }

                if (w != s)
                {
                    centrality[w] += delta[w];
                }
            }
        }

        // Every unordered pair was counted from both ends.
        for (var i = 0; i < n; i++)
        {
            centrality[i] /= 2;
        }

        return centrality;
    }

    /// <summary>
    /// Label propagation, deterministic: nodes update in index order (callers index by ordinal id),
    /// each taking the label with the largest vote of its neighbours, where an edge votes with its
    /// weight times (1 + the neighbours the two ends share), so edges inside dense groups outvote
    /// lone bridges. Ties keep the current label when it is among them, else take the smallest.
    /// Stops when no label changes (or after <paramref name="maxRounds"/>). Returns each node's
    /// label: the smallest index of its community.
    /// </summary>
    public static int[] LabelPropagation(IReadOnlyList<IReadOnlyDictionary<int, double>> adjacency, int maxRounds = 100)
    {
        var n = adjacency.Count;
        var votes = new Dictionary<int, double>[n];
        for (var v = 0; v < n; v++)
        {
            votes[v] = [];
            foreach (var (w, weight) in adjacency[v])
            {
                if (w == v)
                {
                    continue;
                }

                var (small, large) = adjacency[v].Count <= adjacency[w].Count ? (adjacency[v], adjacency[w]) : (adjacency[w], adjacency[v]);
                var shared = small.Keys.Count(k => k != v && k != w && large.ContainsKey(k));
                votes[v][w] = weight * (1 + shared);
            }
        }

        var labels = Enumerable.Range(0, n).ToArray();
        var tally = new Dictionary<int, double>();
        for (var round = 0; round < maxRounds; round++)
        {
            var changed = false;
            for (var v = 0; v < n; v++)
            {
                if (votes[v].Count == 0)
                {
                    continue;
                }

                tally.Clear();
                foreach (var (w, vote) in votes[v])
                {
                    tally[labels[w]] = tally.GetValueOrDefault(labels[w]) + vote;
                }

                var best = tally.Values.Max();
                var label = tally.TryGetValue(labels[v], out var own) && own >= best
                    ? labels[v]
                    : tally.Where(t => t.Value >= best).Min(t => t.Key);
                if (label != labels[v])
                {
                    labels[v] = label;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        // Name each community by its smallest member.
        var names = new Dictionary<int, int>();
        for (var v = 0; v < n; v++)
        {
            names.TryAdd(labels[v], v);
        }

        return [.. labels.Select(l => names[l])];
    }

    /// <summary>Gini coefficient of non-negative values: 0 when all are equal, (n−1)/n when one holds everything; 0 for no mass.</summary>
    public static double Gini(IEnumerable<double> values)
    {
        var sorted = values.Select(v => Math.Max(0, v)).Order().ToArray();
        var n = sorted.Length;
        var total = sorted.Sum();
        if (n == 0 || total <= 0)
        {
            return 0;
        }

        double weighted = 0;
        for (var i = 0; i < n; i++)
        {
            weighted += (2.0 * (i + 1) - n - 1) * sorted[i];
        }

        return weighted / (n * total);
    }
}
