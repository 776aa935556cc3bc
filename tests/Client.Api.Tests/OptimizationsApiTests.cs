using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Swarms;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class OptimizationsApiTests(ApiFactory factory)
{
    private const string Path = "/api/swarms/optimizations";

    private readonly HttpClient _http = factory.CreateClient();

    private Task<JsonObject> WaitFinishedAsync(string id) =>
        Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>($"{Path}/{id}"))!,
            run => (string?)run["status"] != "running",
            $"optimisation {id} to finish");

    private Task<HttpResponseMessage> PostRawAsync(string url, string json) =>
        _http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Start_Returns202WithLocation_AndTheRunEndsWithTheReferenceResult()
    {
        await factory.ManagementClient().GetStringAsync("/metrics"); // the exporter may start listening at the first scrape
        var response = await _http.PostAsJsonAsync(Path, new { function = "rastrigin", dimensions = 10, swarmSize = 30, iterations = 40, seed = 42 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)accepted["id"]!;
        Assert.Equal($"{Path}/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("running", (string?)accepted["status"]);
        Assert.Equal(SwarmRules.DefaultInertia, (double)accepted["parameters"]!["inertia"]!);
        Assert.Equal(3, (int)accepted["parameters"]!["informants"]!);
        Assert.Equal(-5.12, (double)accepted["bounds"]![9]!["min"]!);

        var done = await WaitFinishedAsync(id);
        var reference = ReferenceSwarm.Run(new OptimizationSpec("rastrigin", null, null, 10, [.. Enumerable.Repeat(-5.12, 10)], [.. Enumerable.Repeat(5.12, 10)],
            30, 40, 42, new SwarmParameters(SwarmRules.DefaultInertia, SwarmRules.DefaultAcceleration, SwarmRules.DefaultAcceleration, 3), null, "x"), 500);
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(40, (long)done["iteration"]!);
        Assert.Equal(30 * 41, (long)done["evaluations"]!);
        Assert.Equal(reference.BestValue, (double)done["bestValue"]!);
        Assert.Equal(reference.BestPosition!, done["bestPosition"]!.AsArray().Select(v => (double)v!));
        var history = done["history"]!.AsArray();
        Assert.Equal(41, history.Count);
        Assert.Equal(reference.BestValue, (double)history[^1]!["bestValue"]!);

        var list = (await _http.GetFromJsonAsync<JsonObject>($"{Path}?limit=200"))!;
        Assert.Contains(list["items"]!.AsArray(), i => (string?)i!["id"] == id && (string?)i["status"] == "completed");

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");
        Assert.Matches(@"orleansagents_swarms_optimizations_started\{function=""rastrigin""\} [1-9]", metrics);
        Assert.Matches(@"orleansagents_swarms_optimizations_finished\{function=""rastrigin"",outcome=""completed""\} [1-9]", metrics);
        Assert.Matches(@"orleansagents_swarms_evaluations\{function=""rastrigin""\} [1-9]", metrics);
        Assert.Contains("orleansagents_swarms_iteration_duration_seconds_bucket{function=\"rastrigin\"", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_swarms_optimizations_finished{function=\"griewank\",outcome=\"failed\"} 0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_StopsTheRun_AndIsIdempotent()
    {
        var response = await _http.PostAsJsonAsync(Path, new { function = "sphere", dimensions = 30, iterations = 100_000, seed = 1 });
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var cancelled = await _http.PostAsync($"{Path}/{id}/cancel", null);
        var again = await _http.PostAsync($"{Path}/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (string?)(await cancelled.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        Assert.Equal("cancelled", (string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        Assert.NotNull((await _http.GetFromJsonAsync<JsonObject>($"{Path}/{id}"))!["finishedAt"]);
    }

    [Theory]
    [InlineData("{\"function\":\"himmelblau\"}", "swarm.unknown_function")]
    [InlineData("{}", "swarm.invalid_objective")]
    [InlineData("{\"function\":\"sphere\",\"skill\":\"echo\"}", "swarm.invalid_objective")]
    [InlineData("{\"function\":\"sphere\",\"dimensions\":100000}", "swarm.invalid_dimensions")]
    [InlineData("{\"function\":\"sphere\",\"swarmSize\":100000}", "swarm.invalid_swarm_size")]
    [InlineData("{\"function\":\"sphere\",\"iterations\":100000000}", "swarm.invalid_iterations")]
    [InlineData("{\"function\":\"sphere\",\"bounds\":[{\"min\":1,\"max\":1}]}", "swarm.invalid_bounds")]
    [InlineData("{\"function\":\"sphere\",\"bounds\":[{\"min\":2,\"max\":1}]}", "swarm.invalid_bounds")]
    [InlineData("{\"function\":\"sphere\",\"dimensions\":3,\"bounds\":[{\"min\":0,\"max\":1},{\"min\":0,\"max\":1}]}", "swarm.invalid_bounds")]
    [InlineData("{\"function\":\"sphere\",\"bounds\":[{\"min\":0}]}", "swarm.invalid_bounds")]
    [InlineData("{\"function\":\"sphere\",\"bounds\":[null]}", "swarm.invalid_bounds")]
    [InlineData("{\"function\":\"sphere\",\"bounds\":[]}", "swarm.invalid_bounds")]
    [InlineData("{\"function\":\"sphere\",\"informants\":0}", "swarm.invalid_parameters")]
    [InlineData("{\"function\":\"sphere\",\"inertia\":2}", "swarm.invalid_parameters")]
    [InlineData("{\"skill\":\"echo\",\"capability\":\"math\",\"bounds\":[{\"min\":0,\"max\":1}],\"iterations\":100000}", "swarm.too_many_evaluations")]
    [InlineData("{\"skill\":\"echo\",\"bounds\":[{\"min\":0,\"max\":1}]}", "swarm.invalid_objective")]
    [InlineData("{\"skill\":\"no-such-skill\",\"capability\":\"math\",\"bounds\":[{\"min\":0,\"max\":1}]}", "swarm.unknown_skill")]
    [InlineData("{\"function\":\"sphere\",\"speed\":3}", "request.unknown_field")]
    [InlineData("{\"function\":\"sphere\",\"dimensions\":\"ten\"}", "request.wrong_type")]
    public async Task BadBodies_Are400Problems_WithCodes(string json, string code) =>
        await ProblemAssert.IsAsync(await PostRawAsync(Path, json), HttpStatusCode.BadRequest, code);

    [Fact]
    public async Task UnknownAndMalformedIds_AndBadPaging_AreProblems()
    {
        await ProblemAssert.IsAsync(await _http.GetAsync($"{Path}/o_{new string('0', 32)}"), HttpStatusCode.NotFound, "swarm.not_found");
        await ProblemAssert.IsAsync(await _http.PostAsync($"{Path}/o_{new string('0', 32)}/cancel", null), HttpStatusCode.NotFound, "swarm.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync($"{Path}/not-an-id"), HttpStatusCode.BadRequest, "swarm.invalid_id");
        await ProblemAssert.IsAsync(await _http.GetAsync($"{Path}?limit=0"), HttpStatusCode.BadRequest, "request.invalid_limit");
        await ProblemAssert.IsAsync(await _http.GetAsync($"{Path}?cursor=nope"), HttpStatusCode.BadRequest, "request.invalid_cursor");
        await ProblemAssert.IsAsync(await _http.GetAsync($"{Path}?cursor=o_{new string('1', 32)}"), HttpStatusCode.BadRequest, "request.invalid_cursor");
    }

    [Fact]
    public async Task IdempotencyKey_ResendAnswersTheSameOptimisation_AndADifferentBodyConflicts()
    {
        var key = "opt-" + Guid.NewGuid().ToString("N");
        HttpRequestMessage Post(int iterations, string? idempotencyKey = null)
        {
            var message = new HttpRequestMessage(HttpMethod.Post, Path) { Content = JsonContent.Create(new { function = "sphere", dimensions = 2, swarmSize = 10, iterations }) };
            message.Headers.Add("Idempotency-Key", idempotencyKey ?? key);
            return message;
        }

        var first = await _http.SendAsync(Post(20));
        var again = await _http.SendAsync(Post(20));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var id = (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var resent = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(id, (string?)resent["id"]);
        Assert.Equal($"{Path}/{id}", again.Headers.Location?.OriginalString);
        Assert.Equal(SwarmRules.IdForIdempotencyKey((string)resent["submittedBy"]!, key), id);
        await ProblemAssert.IsAsync(await _http.SendAsync(Post(21)), HttpStatusCode.Conflict, "swarm.idempotency_conflict");
        await ProblemAssert.IsAsync(await _http.SendAsync(Post(20, new string('k', 300))), HttpStatusCode.BadRequest, "task.invalid_idempotency_key");
        Assert.Equal("completed", (string?)(await WaitFinishedAsync(id))["status"]);

        // Without a key every start is a new optimisation.
        var a = await _http.PostAsJsonAsync(Path, new { function = "sphere", dimensions = 2, swarmSize = 10, iterations = 20 });
        var b = await _http.PostAsJsonAsync(Path, new { function = "sphere", dimensions = 2, swarmSize = 10, iterations = 20 });
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
        Assert.NotEqual((string?)(await a.Content.ReadFromJsonAsync<JsonObject>())!["id"], (string?)(await b.Content.ReadFromJsonAsync<JsonObject>())!["id"]);
    }

    [Fact]
    public async Task Viewers_MayRead_ButNotStart()
    {
        using var viewer = factory.ClientFor("swarm-viewer", OrleansAgents.Security.Roles.Viewer);

        await ProblemAssert.IsAsync(await viewer.PostAsJsonAsync(Path, new { function = "sphere" }), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(Path)).StatusCode);
    }
}
