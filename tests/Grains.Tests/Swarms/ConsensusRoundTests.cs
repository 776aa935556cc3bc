using System.Text.Json;
using OrleansAgents.Errors;
using OrleansAgents.Swarms;
using OrleansAgents.Trust;

namespace OrleansAgents.Tests.Swarms;

public sealed class ConsensusRoundTests(ConsensusClusterFixture fixture) : IClassFixture<ConsensusClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    /// <summary>Registers <paramref name="count"/> agents with a capability of their own, ids in ordinal order.</summary>
    private async Task<(string Capability, string[] Agents)> AgentsAsync(int count)
    {
        var capability = "vote-" + Guid.NewGuid().ToString("N")[..8];
        var agents = Enumerable.Range(0, count).Select(i => $"{capability}-a{i}").ToArray();
        foreach (var id in agents)
        {
            await _client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("voter", null, [capability], 2, new Dictionary<string, string>()));
        }

        return (capability, agents);
    }

    private static ConsensusRequest Request(string capability, object input, int agents, int quorum,
        ConsensusAggregation aggregation = ConsensusAggregation.Majority, double deadlineSeconds = 20, string? scoringSkill = null) =>
        new(capability, "test.vote", JsonSerializer.Serialize(input), agents, aggregation, quorum, TimeSpan.FromSeconds(deadlineSeconds), scoringSkill, "user:test");

    private async Task<ConsensusRoundView> RunAsync(ConsensusRequest request)
    {
        var round = _client.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId());
        var started = await round.StartAsync(request);
        Assert.Equal(request.Agents, started.Participants.Count);
        var view = await round.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(view);
        Assert.NotEqual(ConsensusStatus.Running, view.Status);
        return view;
    }

    [Fact]
    public async Task Majority_ComparesCanonicalJson_AndTheSwarmRatesAgreeingAndDissentingAgents()
    {
        var (capability, a) = await AgentsAsync(5);
        var input = new Dictionary<string, object>
        {
            ["default"] = JsonSerializer.Deserialize<JsonElement>("""{"a":1,"b":[2,3]}"""),
            ["answers"] = new Dictionary<string, object>
            {
                [a[1]] = JsonSerializer.Deserialize<JsonElement>("""{ "b": [2.0, 3e0], "a": 1.00 }"""),
                [a[4]] = JsonSerializer.Deserialize<JsonElement>("""{"a":2,"b":[2,3]}"""),
            },
        };

        var view = await RunAsync(Request(capability, input, 5, 3));

        Assert.Equal(ConsensusStatus.Decided, view.Status);
        Assert.Equal("""{"a":1,"b":[2,3]}""", view.AnswerJson);
        Assert.Equal(0.8, view.AgreementRatio);
        Assert.All(view.Participants, p => Assert.Equal(ConsensusParticipantState.Answered, p.State));
        Assert.Equal([true, true, true, true, false], a.Select(id => view.Participants.Single(p => p.AgentId == id).Agrees));
        Assert.All(view.Participants, p => Assert.Equal(1, p.Weight));

        // a0 agreed: satisfied with the three others who agreed, unsatisfied with the dissenter a4; a4 rates nobody.
        var row = await WaitForRowAsync(a[0], 4);
        Assert.Equal([a[1], a[2], a[3]], row.Entries.Where(e => e.Satisfied == 1 && e.Unsatisfied == 0).Select(e => e.Target));
        Assert.Equal(1, row.Entries.Single(e => e.Target == a[4]).Unsatisfied);
        Assert.Empty((await Row(a[4]).GetRowAsync()).Entries);
    }

    [Fact]
    public async Task BestScore_ScoresEachDistinctAnswer_AndTheHighestWins()
    {
        var (capability, a) = await AgentsAsync(4);
        var input = new { @default = 5, answers = new Dictionary<string, object> { [a[0]] = 3, [a[1]] = 9, [a[2]] = 5.0 } };

        var view = await RunAsync(Request(capability, input, 4, 2, ConsensusAggregation.BestScore, scoringSkill: "test.score"));

        Assert.Equal(ConsensusStatus.Decided, view.Status);
        Assert.Equal("9", view.AnswerJson);
        Assert.Equal(0.25, view.AgreementRatio);
        Assert.Equal(9, view.Participants.Single(p => p.AgentId == a[1]).Weight);
        Assert.Equal(5, view.Participants.Single(p => p.AgentId == a[3]).Weight);
    }

    [Fact]
    public async Task Deadline_TimesOutSilentAgents_FailuresAreReported_AndTheQuorumDecides()
    {
        var (capability, a) = await AgentsAsync(4);
        var input = new { @default = "yes", hold = new[] { a[0] }, fail = new[] { a[1] } };

        // The held agent only times out at the deadline, so the deadline is the test's length; 1 s was
        // shorter than two answers take on a loaded 2-core box (CI failed with NoQuorum).
        var decided = await RunAsync(Request(capability, input, 4, 2, deadlineSeconds: 5));
        Assert.Equal(ConsensusStatus.Decided, decided.Status);
        Assert.Equal("\"yes\"", decided.AnswerJson);
        Assert.Equal(ConsensusParticipantState.TimedOut, decided.Participants.Single(p => p.AgentId == a[0]).State);
        Assert.Equal(ConsensusParticipantState.Failed, decided.Participants.Single(p => p.AgentId == a[1]).State);
        Assert.Equal("test.fatal", decided.Participants.Single(p => p.AgentId == a[1]).Error);

        var short_ = await RunAsync(Request(capability, input, 4, 3, deadlineSeconds: 5));
        Assert.Equal(ConsensusStatus.NoQuorum, short_.Status);
        Assert.Null(short_.AnswerJson);
        Assert.NotNull(short_.FinishedAt);
    }

    [Fact]
    public async Task Deactivation_LosesNoAnswer_TheReactivatedRoundReadsItsTasks_AndStillHonoursTheDeadline()
    {
        var (capability, a) = await AgentsAsync(2);
        var round = _client.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId());
        await round.StartAsync(Request(capability, new { @default = "x", hold = new[] { a[1] } }, 2, 1, deadlineSeconds: 2));
        await Eventually.HoldsAsync(
            async () => (await round.GetAsync())!.Participants.Single(p => p.AgentId == a[0]).State == ConsensusParticipantState.Answered,
            $"{a[0]}'s answer to arrive");

        // Answers live in memory until the round finishes: drop the activation, as a crash would.
        await round.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        var view = await round.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(ConsensusStatus.Decided, view!.Status);
        Assert.Equal("\"x\"", view.AnswerJson);
        Assert.Equal(ConsensusParticipantState.TimedOut, view.Participants.Single(p => p.AgentId == a[1]).State);
    }

    [Fact]
    public async Task Start_RepeatReturnsTheRound_AndADifferentRequestConflicts()
    {
        var (capability, _) = await AgentsAsync(2);
        var round = _client.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId());
        var request = Request(capability, new { @default = 1 }, 2, 1);
        var first = await round.StartAsync(request);
        var again = await round.StartAsync(request);
        Assert.Equal(first.CreatedAt, again.CreatedAt);
        Assert.Equal(first.Participants.Select(p => p.TaskId), again.Participants.Select(p => p.TaskId));
        var ex = await Assert.ThrowsAsync<DomainException>(() => round.StartAsync(request with { Quorum = 2 }));
        Assert.Equal(ErrorCodes.ConsensusConflict, ex.Code);
    }

    [Theory]
    [InlineData(3, 4, ConsensusAggregation.Majority, 5, null, "consensus.invalid_quorum")]
    [InlineData(3, 0, ConsensusAggregation.Majority, 5, null, "consensus.invalid_quorum")]
    [InlineData(7, 1, ConsensusAggregation.Majority, 5, null, "consensus.too_many_agents")]
    [InlineData(3, 1, ConsensusAggregation.BestScore, 5, null, "consensus.missing_scoring_skill")]
    [InlineData(3, 1, ConsensusAggregation.BestScore, 5, "no.such-skill", "task.unknown_skill")]
    [InlineData(3, 1, ConsensusAggregation.Majority, 0.1, null, "consensus.invalid_deadline")]
    [InlineData(3, 1, ConsensusAggregation.Majority, 3600, null, "consensus.invalid_deadline")]
    [InlineData(3, 1, (ConsensusAggregation)9, 5, null, "consensus.invalid_aggregation")]
    public async Task Start_RejectsBadRequests_AndStoresNothing(int agents, int quorum, ConsensusAggregation aggregation, double deadline, string? scoring, string code)
    {
        var (capability, _) = await AgentsAsync(3);
        var round = _client.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId());
        var ex = await Assert.ThrowsAsync<DomainException>(() => round.StartAsync(Request(capability, new { }, agents, quorum, aggregation, deadline, scoring)));
        Assert.Equal(code, ex.Code);
        Assert.Equal(DomainErrorKind.Invalid, ex.Kind);
        Assert.Null(await round.GetAsync());
    }

    [Fact]
    public async Task Start_WithTooFewAgents_IsUnavailable()
    {
        var (capability, _) = await AgentsAsync(1);
        var ex = await Assert.ThrowsAsync<DomainException>(() =>
            _client.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId()).StartAsync(Request(capability, new { }, 3, 2)));
        Assert.Equal(ErrorCodes.ConsensusNotEnoughAgents, ex.Code);
        Assert.Equal(DomainErrorKind.Unavailable, ex.Kind);
        ex = await Assert.ThrowsAsync<DomainException>(() =>
            _client.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId()).StartAsync(Request("nobody-has-this", new { }, 1, 1)));
        Assert.Equal(ErrorCodes.ConsensusNotEnoughAgents, ex.Code);
    }

    private ILocalTrustGrain Row(string rater) => _client.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(TrustRules.DefaultDomain, rater));

    /// <summary>Ratings are a follow-up of the finished round: wait until the row has them.</summary>
    private Task<LocalTrustRow> WaitForRowAsync(string rater, int targets) =>
        Eventually.HoldsAsync(async () => await Row(rater).GetRowAsync(), row => row.Entries.Count >= targets,
            $"{rater}'s trust row to hold {targets} ratings", describe: row => $"{row.Entries.Count} ratings");
}
