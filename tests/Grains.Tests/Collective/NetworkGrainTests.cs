using OrleansAgents.Collective;
using OrleansAgents.Tests.Swarms;
using OrleansAgents.Trust;

namespace OrleansAgents.Tests.Collective;

/// <summary>The network is fed by the interactions themselves: ratings, delegated tasks, consensus rounds.</summary>
public sealed class NetworkGrainTests(ConsensusClusterFixture fixture) : IClassFixture<ConsensusClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    private static string[] Ids(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => $"{prefix}-{i}")];

    private Task<CollaborationNetwork> NetworkAsync() => _client.GetGrain<INetworkAnalyticsGrain>(NetworkRules.DefaultNetwork).GetAsync(NetworkRules.MaxPageSize);

    [Fact]
    public async Task Ratings_BecomeEdges_AndAColludingRingIsFlagged_WhileUserRatingsAreNotEdges()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ring = Ids("ring" + tag, 3);
        var honest = Ids("fair" + tag, 3);
        var ratings = new List<TrustRating>();
        ratings.AddRange(from a in ring from b in ring where a != b select new TrustRating(a, b, TrustOutcome.Satisfied, 1, null, $"e:{a}:{b}"));
        ratings.AddRange(from h in honest from r in ring select new TrustRating(h, r, TrustOutcome.Unsatisfied, 1, null, $"e:{h}:{r}"));
        ratings.Add(new TrustRating(TrustRules.UsersPeer, honest[0], TrustOutcome.Satisfied));
        var recorder = _client.GetGrain<ITrustRecorderGrain>(TrustRules.DefaultDomain);
        await recorder.RecordAsync(ratings);
        await recorder.RecordAsync(ratings.Where(r => r.EventId is not null).ToList()); // repeats: no new edges

        var network = await NetworkAsync();
        var edge = network.Edges.Single(e => e.From == ring[0] && e.To == ring[1] && e.Kind == NetworkEdgeKind.Rating);
        Assert.Equal((1, 1, 0), (edge.Weight, edge.Positive, edge.Negative));
        Assert.DoesNotContain(network.Edges, e => e.From.StartsWith('@'));
        var warning = Assert.Single(network.Signals.Collusion, w => w.Members.Contains(ring[0]));
        Assert.Equal(ring, warning.Members);
        Assert.DoesNotContain(network.Signals.Collusion, w => w.Members.Contains(honest[0]));
    }

    [Fact]
    public async Task DelegatedTasks_AndConsensusRounds_BecomeEdges()
    {
        var capability = "net-" + Guid.NewGuid().ToString("N")[..8];
        var agents = Ids(capability, 3);
        foreach (var id in agents)
        {
            await _client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("n", null, [capability], 2, new Dictionary<string, string>()));
        }

        var taskId = TaskRules.NewId();
        await _client.GetGrain<ITaskGrain>(taskId).SubmitAsync(new TaskSubmission(agents[1], null, "echo", "1", TaskPriority.Default, null, null, null, null, "user:t")
        {
            Origin = "agent:" + agents[0],
        });

        var round = _client.GetGrain<OrleansAgents.Swarms.IConsensusRoundGrain>(OrleansAgents.Swarms.ConsensusRules.NewId());
        await round.StartAsync(new OrleansAgents.Swarms.ConsensusRequest(capability, "test.vote", """{"default":1}""", 3,
            OrleansAgents.Swarms.ConsensusAggregation.Majority, 2, TimeSpan.FromSeconds(20), null, "user:t"));
        await round.WaitAsync(TimeSpan.FromSeconds(20));

        var network = await Eventually.HoldsAsync(NetworkAsync,
            n => n.Edges.Any(e => e.Kind == NetworkEdgeKind.Delegation && e.From == agents[0])
                && n.Edges.Count(e => e.Kind == NetworkEdgeKind.Consensus && agents.Contains(e.From)) == 3,
            "the delegation edge and three consensus edges", describe: n => $"{n.Edges.Count} edges");

        var delegation = network.Edges.Single(e => e.Kind == NetworkEdgeKind.Delegation && e.From == agents[0]);
        Assert.Equal((agents[1], 1.0), (delegation.To, delegation.Positive));
        Assert.All(network.Edges.Where(e => e.Kind == NetworkEdgeKind.Consensus && agents.Contains(e.From)), e => Assert.Equal(1, e.Positive));
        // The swarm's satisfied ratings among the three agree with the consensus edges.
        Assert.Equal(6, network.Edges.Count(e => e.Kind == NetworkEdgeKind.Rating && agents.Contains(e.From) && agents.Contains(e.To)));
        var members = network.Communities.Single(c => c.Members.Contains(agents[0])).Members;
        Assert.Equal(agents, members.Where(agents.Contains));
    }
}
