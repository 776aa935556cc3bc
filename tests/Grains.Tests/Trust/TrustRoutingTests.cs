using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Jobs;
using OrleansAgents.Jobs;
using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;

namespace OrleansAgents.Tests.Trust;

/// <summary>Uses the default domain (routing and the periodic job read it); the other trust tests use their own.</summary>
public sealed class TrustRoutingTests(TrustClusterFixture fixture) : IClassFixture<TrustClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    private static AgentLoad Load(string id, int running, int queued = 0, int slots = 4) =>
        new(id, true, running, queued, slots, 10, ["work"], true);

    [Fact]
    public async Task Selector_PrefersTrustedAgents_GivesNewcomersWork_AndDiscountsByLoad()
    {
        var (ratings, _) = TrustSimulation.ThreatModelB(40, 10, 0.3, seed: 3);
        await _client.GetGrain<ITrustRecorderGrain>(TrustRules.DefaultDomain).RecordAsync(ratings);
        var job = await _client.GetGrain<IPeriodicJobGrain>(JobRules.TrustRecompute).RunNowAsync();
        Assert.Equal("succeeded", job.LastOutcome);
        Assert.Contains("Trust 'default'", job.LastMessage);

        var selector = new TrustAgentSelector(_client, Options.Create(new TrustOptions { RoutingCacheDuration = TimeSpan.Zero, RoutingExploration = 0 }), TimeProvider.System);
        var honest = TrustSimulation.AgentId(0);   // pre-trusted
        var colluder = TrustSimulation.AgentId(39);
        var ranked = await selector.RankAsync("work", "echo", [Load(colluder, 0), Load("newcomer", 0), Load(honest, 0)]);
        Assert.Equal([honest, "newcomer", colluder], ranked.Select(l => l.AgentId));

        // A full trusted agent yields to an idle newcomer of average standing; a colluder still comes last.
        var weights = await _client.GetGrain<ITrustReaderGrain>(TrustRules.DefaultDomain).GetGlobalTrustAsync([honest, "newcomer"]);
        var busy = (int)Math.Ceiling(4 * (weights[honest] / weights["newcomer"]));
        ranked = await selector.RankAsync("work", "echo", [Load(colluder, 0), Load("newcomer", 0), Load(honest, 4, busy)]);
        Assert.Equal(["newcomer", honest, colluder], ranked.Select(l => l.AgentId));
    }

    [Fact]
    public async Task Selector_WithFullExploration_IsLeastLoaded()
    {
        var selector = new TrustAgentSelector(_client, Options.Create(new TrustOptions { RoutingExploration = 1 }), TimeProvider.System);
        var ranked = await selector.RankAsync("work", "echo", [Load(TrustSimulation.AgentId(0), 3), Load("b", 1), Load("c", 2)]);
        Assert.Equal(["b", "c", TrustSimulation.AgentId(0)], ranked.Select(l => l.AgentId));
    }
}
