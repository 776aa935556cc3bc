using OrleansAgents.Collective;
using OrleansAgents.Grains.Collective;

namespace OrleansAgents.Tests.Collective;

public sealed class NetworkAlgorithmsTests
{
    private static IReadOnlyCollection<int>[] Graph(int n, params (int, int)[] edges) =>
        [.. NetworkAnalysis.Undirected(n, edges.Select(e => (e.Item1, e.Item2, 1.0))).Select(a => (IReadOnlyCollection<int>)a.Keys)];

    [Fact]
    public void Betweenness_OfAPath_Star_AndSquare()
    {
        // 0-1-2-3: node 1 is on the paths 0–2 and 0–3, node 2 on 0–3 and 1–3.
        Assert.Equal([0, 2, 2, 0], NetworkAlgorithms.Betweenness(Graph(4, (0, 1), (1, 2), (2, 3))));
        // A star with four leaves: the centre is on all C(4,2) = 6 leaf pairs.
        Assert.Equal([6, 0, 0, 0, 0], NetworkAlgorithms.Betweenness(Graph(5, (0, 1), (0, 2), (0, 3), (0, 4))));
        // A 4-cycle: each opposite pair has two shortest paths, so each node gets 1/2.
        Assert.Equal([0.5, 0.5, 0.5, 0.5], NetworkAlgorithms.Betweenness(Graph(4, (0, 1), (1, 2), (2, 3), (3, 0))));
    }

    [Fact]
    public void Betweenness_OfTwoTrianglesJoinedByABridge()
    {
        // 0,1,2 and 3,4,5, bridge 2–3: each bridge end lies on the 2·3 + 2 = ... paths crossing it.
        var b = NetworkAlgorithms.Betweenness(Graph(6, (0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)));
        // 2 is on every path from {0,1} to {3,4,5}: 2·3 = 6; same for 3.
        Assert.Equal([0, 0, 6, 6, 0, 0], b);
    }

    [Fact]
    public void LabelPropagation_SplitsTwoCliquesJoinedByOneEdge()
    {
        var edges = new List<(int, int, double)>();
        for (var i = 0; i < 5; i++)
        {
            for (var j = i + 1; j < 5; j++)
            {
                edges.Add((i, j, 1));
                edges.Add((i + 5, j + 5, 1));
            }
        }

        edges.Add((4, 5, 1));
        var labels = NetworkAlgorithms.LabelPropagation(NetworkAnalysis.Undirected(10, edges));
        Assert.Equal([0, 0, 0, 0, 0, 5, 5, 5, 5, 5], labels);

        // Deterministic: the same graph always gives the same labels.
        Assert.Equal(labels, NetworkAlgorithms.LabelPropagation(NetworkAnalysis.Undirected(10, edges)));
    }

    [Fact]
    public void LabelPropagation_LeavesIsolatedNodesAlone()
    {
        var labels = NetworkAlgorithms.LabelPropagation(NetworkAnalysis.Undirected(3, [(0, 1, 1)]));
        Assert.Equal([0, 0, 2], labels);
    }

    [Theory]
    [InlineData(new double[] { 1, 1, 1, 1 }, 0)]
    [InlineData(new double[] { 0, 0, 0, 1 }, 0.75)]
    [InlineData(new double[] { 1, 2, 3, 4, 5 }, 0.26666666666666666)]
    [InlineData(new double[] { 3, 1 }, 0.25)]
    [InlineData(new double[] { }, 0)]
    [InlineData(new double[] { 0, 0 }, 0)]
    public void Gini_OfKnownVectors(double[] values, double expected) =>
        Assert.Equal(expected, NetworkAlgorithms.Gini(values), 12);

    private static NetworkEdge Rate(string from, string to, bool satisfied, double weight = 1) =>
        new(from, to, NetworkEdgeKind.Rating, weight, satisfied ? weight : 0, satisfied ? 0 : weight);

    /// <summary>Ring members r0..r3 all rate each other satisfied; honest h0..h4 rate each other satisfied and rate the ring as told.</summary>
    private static List<NetworkEdge> Scenario(bool outsidersSatisfied)
    {
        var ring = Enumerable.Range(0, 4).Select(i => "r" + i).ToArray();
        var honest = Enumerable.Range(0, 5).Select(i => "h" + i).ToArray();
        var edges = new List<NetworkEdge>();
        foreach (var group in new[] { ring, honest })
        {
            edges.AddRange(from a in @group from b in @group where a != b select Rate(a, b, true));
        }

        edges.AddRange(from h in honest from r in ring select Rate(h, r, outsidersSatisfied));
        return edges;
    }

    [Fact]
    public void Collusion_ARingPraisingItselfThatOutsidersRateUnsatisfied_IsFlagged()
    {
        var network = NetworkAnalysis.Analyse(Scenario(outsidersSatisfied: false), _ => null, null, null, null, new CollectiveOptions(), DateTimeOffset.UnixEpoch);
        var warning = Assert.Single(network.Signals.Collusion);
        Assert.Equal(["r0", "r1", "r2", "r3"], warning.Members);
        Assert.Equal(1, warning.Density);
        Assert.Equal(0, warning.OutsideSatisfaction);
        Assert.Equal(20, warning.OutsideRatings);
        Assert.Equal(5, warning.OutsideRaters);
    }

    [Fact]
    public void Collusion_AnHonestGroupPraisedByOutsiders_IsNotFlagged()
    {
        var network = NetworkAnalysis.Analyse(Scenario(outsidersSatisfied: true), _ => null, null, null, null, new CollectiveOptions(), DateTimeOffset.UnixEpoch);
        Assert.Empty(network.Signals.Collusion);
    }

    [Fact]
    public void Analyse_CapsNodes_FindsCommunities_AndMarksNewOnesAgainstTheBaseline()
    {
        var edges = Scenario(outsidersSatisfied: false);
        var options = new CollectiveOptions { MaxAnalysisNodes = 9 };
        var first = NetworkAnalysis.Analyse(edges, id => id.StartsWith('h') ? 0.2 : 0, 0.5, null, null, options, DateTimeOffset.UnixEpoch);
        Assert.Equal(9, first.AnalysedNodes);
        Assert.Equal(0.2, first.Nodes.Single(n => n.Id == "h0").Trust);
        Assert.Empty(first.Signals.NewCommunities);

        // Against a baseline of unrelated groups every community is new; against itself none is.
        Assert.NotEmpty(first.Communities);
        var second = NetworkAnalysis.Analyse(edges, _ => null, null, [["x", "y"]], DateTimeOffset.UnixEpoch, options, DateTimeOffset.UnixEpoch);
        Assert.Equal(first.Communities.Select(c => c.Id), second.Signals.NewCommunities);
        var third = NetworkAnalysis.Analyse(edges, _ => null, null, [.. first.Communities.Select(c => c.Members)], DateTimeOffset.UnixEpoch, options, DateTimeOffset.UnixEpoch);
        Assert.Empty(third.Signals.NewCommunities);

        var capped = NetworkAnalysis.Analyse(edges, _ => null, null, null, null, new CollectiveOptions { MaxAnalysisNodes = 3 }, DateTimeOffset.UnixEpoch);
        Assert.Equal(3, capped.AnalysedNodes);
        Assert.Equal(9, capped.TotalNodes);

        var page = NetworkAnalysis.Page(first, 2);
        Assert.Equal(2, page.Nodes.Count);
        Assert.All(page.Edges, e => Assert.Contains(page.Nodes, n => n.Id == e.From));
    }
}
