using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class ConsensusApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<(string Capability, string[] Agents)> AgentsAsync(int count)
    {
        var capability = "cons-" + Guid.NewGuid().ToString("N")[..8];
        var agents = Enumerable.Range(0, count).Select(i => $"{capability}-{i}").ToArray();
        foreach (var id in agents)
        {
            var response = await _http.PostAsJsonAsync("/api/agents", new { id, name = "voter", capabilities = new[] { capability }, maxConcurrentTasks = 2 });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        return (capability, agents);
    }

    [Fact]
    public async Task Post_WithWait_ReturnsTheDecidedRound_AndGetReturnsItToo()
    {
        var (capability, agents) = await AgentsAsync(3);
        var response = await _http.PostAsJsonAsync("/api/swarms/consensus",
            new { capability, skill = "echo", input = new { b = 2, a = 1.0 }, agents = 3, aggregation = "trust-weighted", quorum = 2, deadlineSeconds = 20, waitSeconds = 20 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var round = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)round["id"]!;
        Assert.Equal($"/api/swarms/consensus/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("decided", (string?)round["status"]);
        Assert.Equal("trust-weighted", (string?)round["aggregation"]);
        Assert.Equal("""{"a":1,"b":2}""", round["answer"]!.ToJsonString());
        Assert.Equal(1.0, (double)round["agreementRatio"]!);
        Assert.Equal(agents.Order(), round["participants"]!.AsArray().Select(p => (string)p!["agentId"]!).Order());
        Assert.All(round["participants"]!.AsArray(), p => Assert.True((bool)p!["agrees"]!));
        Assert.Empty(round["timedOut"]!.AsArray());

        var again = (await _http.GetFromJsonAsync<JsonObject>($"/api/swarms/consensus/{id}"))!;
        Assert.Equal("decided", (string?)again["status"]);
    }

    [Fact]
    public async Task Post_WithoutWait_Returns202_AndTheRoundFinishes()
    {
        var (capability, _) = await AgentsAsync(2);
        var response = await _http.PostAsJsonAsync("/api/swarms/consensus", new { capability, skill = "echo", input = "x", agents = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var round = await Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>($"/api/swarms/consensus/{id}"))!,
            r => (string?)r["status"] != "running",
            "the round to finish", describe: r => $"status {(string?)r["status"]}");
        Assert.Equal("decided", (string?)round["status"]);
        Assert.Equal(2, (int)round["quorum"]!);
        Assert.Equal("\"x\"", round["answer"]!.ToJsonString());
    }

    [Fact]
    public async Task ConsensusMetrics_AppearOnMetrics()
    {
        await factory.ManagementClient().GetStringAsync("/metrics"); // the exporter may start listening at the first scrape
        var (capability, _) = await AgentsAsync(2);
        var response = await _http.PostAsJsonAsync("/api/swarms/consensus", new { capability, skill = "echo", input = 1, agents = 2, waitSeconds = 20 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains("orleansagents_consensus_rounds{aggregation=\"majority\",outcome=\"decided\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_consensus_rounds{aggregation=\"best-score\",outcome=\"no-quorum\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_consensus_round_duration_seconds_bucket{aggregation=\"majority\"", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_consensus_agreement_ratio_bucket{aggregation=\"majority\"", metrics, StringComparison.Ordinal);
    }

    public static TheoryData<string, HttpStatusCode, string> BadBodies => new()
    {
        { """{"capability":"CAP","skill":"echo","input":1,"agents":2}""", HttpStatusCode.BadRequest, "task.invalid_target" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"aggregation":"loudest"}""", HttpStatusCode.BadRequest, "consensus.invalid_aggregation" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"quorum":3}""", HttpStatusCode.BadRequest, "consensus.invalid_quorum" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"quorum":0}""", HttpStatusCode.BadRequest, "consensus.invalid_quorum" },
        { """{"capability":"c","skill":"echo","input":1,"agents":0}""", HttpStatusCode.BadRequest, "consensus.invalid_agents" },
        { """{"capability":"c","skill":"echo","input":1}""", HttpStatusCode.BadRequest, "consensus.invalid_agents" },
        { """{"capability":"c","skill":"echo","input":1,"agents":26}""", HttpStatusCode.BadRequest, "consensus.too_many_agents" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"aggregation":"best-score"}""", HttpStatusCode.BadRequest, "consensus.missing_scoring_skill" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"deadlineSeconds":0.5}""", HttpStatusCode.BadRequest, "consensus.invalid_deadline" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"deadlineSeconds":-1}""", HttpStatusCode.BadRequest, "consensus.invalid_deadline" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"deadlineSeconds":86000}""", HttpStatusCode.BadRequest, "consensus.invalid_deadline" },
        { """{"capability":"c","skill":"echo","input":1,"agents":2,"waitSeconds":31}""", HttpStatusCode.BadRequest, "consensus.invalid_wait" },
        { """{"capability":"c","skill":"no-such-skill","input":1,"agents":2}""", HttpStatusCode.BadRequest, "task.unknown_skill" },
        { """{"capability":"c","skill":"echo","agents":2}""", HttpStatusCode.BadRequest, "task.invalid_input" },
        { """{"capability":"nobody-has-this","skill":"echo","input":1,"agents":2}""", HttpStatusCode.ServiceUnavailable, "consensus.not_enough_agents" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Post_RejectsBadRequests_WithACode(string body, HttpStatusCode status, string code)
    {
        var response = await _http.PostAsync("/api/swarms/consensus", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ProblemAssert.IsAsync(response, status, code);
    }

    [Fact]
    public async Task IdempotencyKey_RepeatReturnsTheRound_AndADifferentBodyConflicts()
    {
        var (capability, _) = await AgentsAsync(2);
        HttpRequestMessage Post(int agents) => new(HttpMethod.Post, "/api/swarms/consensus")
        {
            Content = JsonContent.Create(new { capability, skill = "echo", input = 1, agents }),
            Headers = { { "Idempotency-Key", "round-" + capability } },
        };

        var first = (await (await _http.SendAsync(Post(2))).Content.ReadFromJsonAsync<JsonObject>())!;
        var again = (await (await _http.SendAsync(Post(2))).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((string?)first["id"], (string?)again["id"]);
        await ProblemAssert.IsAsync(await _http.SendAsync(Post(1)), HttpStatusCode.Conflict, "consensus.conflict");
    }

    [Fact]
    public async Task Get_BadOrUnknownId_Is400Or404()
    {
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/swarms/consensus/nope"), HttpStatusCode.BadRequest, "consensus.invalid_id");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/swarms/consensus/c_{new string('0', 32)}"), HttpStatusCode.NotFound, "consensus.not_found");
    }

    [Fact]
    public async Task Network_ShowsTheRoundsAgents_AndValidatesLimit()
    {
        var (capability, agents) = await AgentsAsync(2);
        var response = await _http.PostAsJsonAsync("/api/swarms/consensus", new { capability, skill = "echo", input = 1, agents = 2, waitSeconds = 20 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var network = await Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>("/api/collective/network?limit=500"))!,
            n => n["edges"]!.AsArray().Any(e => (string?)e!["from"] == agents[0] && (string?)e["kind"] == "consensus"),
            $"a consensus edge from {agents[0]}", describe: n => $"{n["edges"]!.AsArray().Count} edges");

        Assert.Contains(network["nodes"]!.AsArray(), n => (string?)n!["id"] == agents[1]);
        Assert.NotNull(network["signals"]!["collusion"]);
        var one = (await _http.GetFromJsonAsync<JsonObject>("/api/collective/network?limit=1"))!;
        Assert.Single(one["nodes"]!.AsArray());
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/collective/network?limit=501"), HttpStatusCode.BadRequest, "request.invalid_limit");
    }
}
