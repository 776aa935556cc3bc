using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;

namespace OrleansAgents.Tests.Trust;

public sealed class LocalTrustTests(TrustClusterFixture fixture) : IClassFixture<TrustClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    private static string NewDomain() => "d-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Record_SumsWeightsPerTarget_AndIgnoresRepeatedEventIds()
    {
        var domain = NewDomain();
        var recorder = _client.GetGrain<ITrustRecorderGrain>(domain);
        var first = await recorder.RecordAsync(
        [
            new("a", "b", TrustOutcome.Satisfied, 2, "good", "ev-1"),
            new("a", "b", TrustOutcome.Unsatisfied, 0.5),
            new("a", "c", TrustOutcome.Satisfied),
            new(TrustRules.UsersPeer, "c", TrustOutcome.Unsatisfied),
        ]);
        var repeat = await recorder.RecordAsync([new("a", "b", TrustOutcome.Satisfied, 2, "good", "ev-1")]);

        Assert.Equal(new TrustRecordResult(4, 0), first);
        Assert.Equal(new TrustRecordResult(0, 1), repeat);
        var row = await _client.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, "a")).GetRowAsync();
        Assert.Equal(3, row.Ratings);
        Assert.Equal([new LocalTrustEntry("b", 2, 0.5), new LocalTrustEntry("c", 1, 0)], row.Entries);
        Assert.Equal(1.5, row.Entries[0].Score);
    }

    [Fact]
    public async Task Record_ConcurrentRatingsOfOneRow_AreAllKept()
    {
        var domain = NewDomain();
        var row = _client.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, TrustRules.UsersPeer));

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            row.RecordAsync([new(TrustRules.UsersPeer, "t" + (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture), TrustOutcome.Satisfied)])));

        Assert.Equal(200, results.Sum(r => r.Recorded));
        var read = await row.GetRowAsync();
        Assert.Equal(200, read.Ratings);
        Assert.Equal(200, read.Entries.Sum(e => e.Satisfied));
        Assert.Equal(8, (await OrleansAgents.Grains.Trust.TrustDirectory.ListAsync(_client, domain)).Count);
    }

    [Fact]
    public async Task Record_ForgetsOldestEventIds_BeyondTheConfiguredWindow()
    {
        var domain = NewDomain();
        var recorder = _client.GetGrain<ITrustRecorderGrain>(domain);
        for (var i = 0; i < 6; i++)
        {
            await recorder.RecordAsync([new("a", "b", TrustOutcome.Satisfied, 1, null, $"ev-{i}")]);
        }

        // Trust:RecentEventsPerRow is 4: ev-5 is remembered, ev-0 is not.
        Assert.Equal(1, (await recorder.RecordAsync([new("a", "b", TrustOutcome.Satisfied, 1, null, "ev-5")])).Duplicates);
        Assert.Equal(1, (await recorder.RecordAsync([new("a", "b", TrustOutcome.Satisfied, 1, null, "ev-0")])).Recorded);
    }

    [Theory]
    [InlineData("a", "a", 1, TrustOutcome.Satisfied, ErrorCodes.TrustSelfRating)]
    [InlineData("a", "b", 0, TrustOutcome.Satisfied, ErrorCodes.TrustInvalidWeight)]
    [InlineData("a", "b", -1, TrustOutcome.Satisfied, ErrorCodes.TrustInvalidWeight)]
    [InlineData("a", "b", 100.5, TrustOutcome.Satisfied, ErrorCodes.TrustInvalidWeight)]
    [InlineData("a", "b", double.NaN, TrustOutcome.Satisfied, ErrorCodes.TrustInvalidWeight)]
    [InlineData("A!", "b", 1, TrustOutcome.Satisfied, ErrorCodes.TrustInvalidRater)]
    [InlineData("a", TrustRules.UsersPeer, 1, TrustOutcome.Satisfied, ErrorCodes.TrustInvalidTarget)]
    [InlineData("a", "b", 1, (TrustOutcome)7, ErrorCodes.TrustInvalidOutcome)]
    public async Task Record_RejectsBadRatings_AndRecordsNothingOfTheBatch(string rater, string target, double weight, TrustOutcome outcome, string code)
    {
        var domain = NewDomain();
        var ex = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITrustRecorderGrain>(domain)
            .RecordAsync([new("a", "z", TrustOutcome.Satisfied), new(rater, target, outcome, weight)]));

        Assert.Equal(code, ex.Code);
        Assert.Empty((await _client.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, "a")).GetRowAsync()).Entries);
    }

    [Fact]
    public async Task Record_RejectsBadDomainsAndOversizedBatches()
    {
        var bad = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITrustRecorderGrain>("Bad/Domain").RecordAsync([]));
        Assert.Equal(ErrorCodes.TrustInvalidDomain, bad.Code);
        var big = Enumerable.Range(0, TrustRules.MaxBatch + 1).Select(_ => new TrustRating("a", "b", TrustOutcome.Satisfied)).ToList();
        var tooLarge = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITrustRecorderGrain>(NewDomain()).RecordAsync(big));
        Assert.Equal(ErrorCodes.TrustBatchTooLarge, tooLarge.Code);
    }

    [Fact]
    public async Task OutcomeSink_RatesTheAgentOncePerTask_AsUsersOrAsTheOriginAgent()
    {
        var sink = new TrustOutcomeSink(_client);
        var target = "sink-" + Guid.NewGuid().ToString("N")[..8];
        var usersRow = _client.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(TrustRules.DefaultDomain, TrustRules.UsersPeer));
        var before = (await usersRow.GetRowAsync()).Entries.SingleOrDefault(e => e.Target == target);
        Assert.Null(before);

        var succeeded = Outcome("t1", target, TaskState.Succeeded, null);
        await sink.TaskFinishedAsync(succeeded, default);
        await sink.TaskFinishedAsync(succeeded, default); // at-least-once delivery
        await sink.TaskFinishedAsync(Outcome("t2", target, TaskState.DeadLettered, "workflow-run:w1"), default);
        await sink.TaskFinishedAsync(Outcome("t3", target, TaskState.Cancelled, null), default);
        await sink.TaskFinishedAsync(Outcome("t4", target, TaskState.Failed, "agent:planner-1"), default);

        Assert.Equal(new LocalTrustEntry(target, 1, 1), (await usersRow.GetRowAsync()).Entries.Single(e => e.Target == target));
        var plannerRow = await _client.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(TrustRules.DefaultDomain, "planner-1")).GetRowAsync();
        Assert.Equal(new LocalTrustEntry(target, 0, 1), plannerRow.Entries.Single(e => e.Target == target));
    }

    [Fact]
    public async Task Reader_RanksAgentsOnly_AndGivesNewcomersTheUniformShare()
    {
        var domain = NewDomain();
        await _client.GetGrain<ITrustRecorderGrain>(domain).RecordAsync(
        [
            new(TrustRules.UsersPeer, "x", TrustOutcome.Satisfied, 3),
            new(TrustRules.UsersPeer, "y", TrustOutcome.Satisfied),
            new("x", "y", TrustOutcome.Satisfied),
        ]);
        var reader = _client.GetGrain<ITrustReaderGrain>(domain);
        Assert.False((await reader.GetAsync("x")).Computed);
        await _client.GetGrain<ITrustCoordinatorGrain>(domain).RecomputeAsync();

        // Peers: @users, x, y and the three configured pre-trusted agents; @users is not ranked.
        var page = await reader.ListAsync(0, 10, 0);
        Assert.Equal(5, page.Total);
        Assert.Equal(Enumerable.Range(1, 5), page.Items.Select(i => i.Rank ?? 0));
        Assert.True(page.Items.Zip(page.Items.Skip(1)).All(pair => pair.First.Trust >= pair.Second.Trust));
        Assert.DoesNotContain(page.Items, i => i.AgentId == TrustRules.UsersPeer);
        var x = page.Items.Single(i => i.AgentId == "x");
        var y = page.Items.Single(i => i.AgentId == "y");
        Assert.True(y.Trust > x.Trust);

        var weights = await reader.GetGlobalTrustAsync(["x", "newcomer"]);
        Assert.Equal(1.0 / 6, weights["newcomer"], 12);
        Assert.Equal(x.Trust, weights["x"]);
        var newcomer = await reader.GetAsync("newcomer");
        Assert.False(newcomer.Computed);
        Assert.Null(newcomer.Rank);

        var secondPage = await reader.ListAsync(4, 1, page.Version);
        Assert.Equal(page.Items[4].AgentId, Assert.Single(secondPage.Items).AgentId);
        var stale = await Assert.ThrowsAsync<DomainException>(async () => await reader.ListAsync(1, 1, page.Version + 5));
        Assert.Equal(ErrorCodes.InvalidCursor, stale.Code);
    }

    [Fact]
    public void States_RoundTripThroughTheStorageSerializer()
    {
        var serializer = _client.ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>();
        var row = new LocalTrustState { Ratings = 3, Announced = true, RecentEvents = ["task:1"] };
        row.Entries["b"] = [2, 0.5];
        row.RecentEventWindow.Remember("task:2", 4);
        var directory = new TrustDirectoryShardState();
        directory.Peers.Add("b");
        var coordinator = new TrustCoordinatorState { Version = 2, Peers = ["a", "b"], Trust = [0.25, 0.75] };

        var rowCopy = serializer.Deserialize<LocalTrustState>(serializer.SerializeToArray(row))!;
        var directoryCopy = serializer.Deserialize<TrustDirectoryShardState>(serializer.SerializeToArray(directory))!;
        var coordinatorCopy = serializer.Deserialize<TrustCoordinatorState>(serializer.SerializeToArray(coordinator))!;

        Assert.Equal([2, 0.5], rowCopy.Entries["b"]);
        Assert.True(rowCopy.Announced);
        Assert.Equal(["task:1"], rowCopy.RecentEvents);
        Assert.False(rowCopy.RecentEventWindow.Remember("task:2", 4));
        Assert.True(rowCopy.RecentEventWindow.Remember("task:3", 4));
        Assert.Contains("b", directoryCopy.Peers);
        Assert.Equal([0.25, 0.75], coordinatorCopy.Trust);
    }

    private static TaskOutcome Outcome(string taskId, string agentId, TaskState state, string? origin)
    {
        var now = DateTimeOffset.UnixEpoch;
        return new TaskOutcome(taskId, agentId, "work", "echo", state, "alice", origin, 1, now, now, null!);
    }
}
