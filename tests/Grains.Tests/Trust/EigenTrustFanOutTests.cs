using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;

namespace OrleansAgents.Tests.Trust;

/// <summary>The grain fan-out against the in-memory reference, and the paper's threat model B.</summary>
public sealed class EigenTrustFanOutTests(TrustClusterFixture fixture) : IClassFixture<TrustClusterFixture>
{
    private static readonly EigenTrustParameters Defaults = new(0.15, 1e-6, 100);

    private readonly IClusterClient _client = fixture.Client;

    private static HashSet<string> PreTrustedSet() => [.. TrustClusterFixture.PreTrusted, TrustRules.UsersPeer];

    private async Task<GlobalTrustSnapshot> ComputeAsync(string domain, IReadOnlyList<TrustRating> ratings)
    {
        foreach (var chunk in ratings.Chunk(TrustRules.MaxBatch))
        {
            await _client.GetGrain<ITrustRecorderGrain>(domain).RecordAsync(chunk);
        }

        var status = await _client.GetGrain<ITrustCoordinatorGrain>(domain).RecomputeAsync();
        Assert.Equal(TrustRecomputePhase.Succeeded, status.Phase);
        var snapshot = await _client.GetGrain<ITrustCoordinatorGrain>(domain).GetSnapshotAsync(0);
        Assert.NotNull(snapshot);
        return snapshot;
    }

    [Theory]
    [InlineData(1, 60, 8)]
    [InlineData(2, 150, 12)]
    [InlineData(3, 97, 3)]
    public async Task FanOut_EqualsReference_OnRandomGraphs(int seed, int agents, int ratingsPerAgent)
    {
        var ratings = TrustSimulation.RandomGraph(agents, ratingsPerAgent, seed);
        var snapshot = await ComputeAsync($"random-{seed}", ratings);

        var peers = TrustSimulation.Peers(ratings, TrustClusterFixture.PreTrusted);
        var reference = EigenTrust.Reference(TrustSimulation.Rows(ratings), peers, PreTrustedSet(), Defaults);

        Assert.Equal(peers, snapshot.Peers);
        Assert.Equal(reference.Iterations, snapshot.Iterations);
        Assert.InRange(snapshot.Iterations, 2, 99);
        for (var i = 0; i < peers.Count; i++)
        {
            Assert.True(Math.Abs(reference.Trust[peers[i]] - snapshot.Trust[i]) <= 1e-9,
                $"{peers[i]}: reference {reference.Trust[peers[i]]}, fan-out {snapshot.Trust[i]}");
        }

        Assert.Equal(1.0, snapshot.Trust.Sum(), 9);
    }

    [Fact]
    public async Task ThreatModelB_ThirtyPercentCollective_HoldsAtMostTenPercentOfTrust()
    {
        var (ratings, colluders) = TrustSimulation.ThreatModelB(200, 20, 0.3, seed: 7);
        var snapshot = await ComputeAsync("threat-b", ratings);

        var collective = snapshot.Peers.Select((peer, i) => colluders.Contains(peer) ? snapshot.Trust[i] : 0).Sum();
        Assert.Equal(60, colluders.Count);
        Assert.True(collective <= 0.10, $"The collective holds {collective:P2} of global trust.");

        // Without pre-trusted peers (p uniform) the same collective traps far more: the limit above is earned.
        var open = EigenTrust.Reference(TrustSimulation.Rows(ratings), snapshot.Peers, new HashSet<string>(), Defaults);
        Assert.True(colluders.Sum(c => open.Trust[c]) > collective);
    }

    [Fact]
    public async Task Recompute_RowWithOnlyComplaints_FallsBackToPreTrusted()
    {
        var domain = "fallback";
        // agent-00009 only complains: its row is empty after normalisation, so its trust flows as p.
        var ratings = new List<TrustRating>
        {
            new("agent-00000", "agent-00009", TrustOutcome.Satisfied),
            new("agent-00001", "agent-00009", TrustOutcome.Satisfied),
            new("agent-00002", "agent-00009", TrustOutcome.Satisfied),
            new("agent-00009", "agent-00005", TrustOutcome.Unsatisfied, 3),
        };
        var snapshot = await ComputeAsync(domain, ratings);
        var trust = snapshot.Peers.Zip(snapshot.Trust).ToDictionary(x => x.First, x => x.Second);

        Assert.Equal(0, trust["agent-00005"], 12);
        Assert.True(trust["agent-00009"] > trust["agent-00000"]);
        Assert.Equal(1.0, trust.Values.Sum(), 9);
        Assert.Equal(trust["agent-00000"], trust["agent-00001"], 12);
    }

    [Fact]
    public async Task StartRecompute_ReportsProgress_ThenStoresVersionedResult()
    {
        var domain = "progress";
        await _client.GetGrain<ITrustRecorderGrain>(domain).RecordAsync(TrustSimulation.RandomGraph(30, 4, 11));
        var coordinator = _client.GetGrain<ITrustCoordinatorGrain>(domain);

        var started = await coordinator.StartRecomputeAsync();
        Assert.True(started.Running);
        Assert.Equal(0, started.Version);

        var finished = await coordinator.RecomputeAsync(); // joins the running computation or runs the next
        Assert.Equal(TrustRecomputePhase.Succeeded, finished.Phase);
        Assert.False(finished.Running);
        Assert.True(finished.Converged);
        Assert.True(finished.Residual < 1e-6);
        Assert.Equal(30, finished.Peers);
        Assert.True(finished.Ratings > 0);

        var status = await coordinator.GetStatusAsync();
        Assert.Equal(finished.Version, status.Version);
        var again = await coordinator.RecomputeAsync();
        Assert.Equal(finished.Version + 1, again.Version);
        Assert.Null(await coordinator.GetSnapshotAsync(again.Version));
    }
}
