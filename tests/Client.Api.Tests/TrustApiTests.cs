using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class TrustApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<string> RegisterAsync(string? owner = null)
    {
        var id = "tr-" + Guid.NewGuid().ToString("N")[..12];
        var metadata = owner is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["owner"] = owner };
        var response = await _http.PostAsJsonAsync("/api/agents", new { id, name = "Rated", metadata });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static Task<HttpResponseMessage> RateAsync(HttpClient http, string id, string json) =>
        http.PostAsync($"/api/agents/{id}/ratings", new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonObject> RecomputeAsync()
    {
        var accepted = await _http.PostAsync("/api/trust/recompute", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("/api/trust/recompute", accepted.Headers.Location?.OriginalString);
        return await Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>("/api/trust/recompute"))!,
            status => !(bool)status["running"]! && (string?)status["phase"] is "succeeded" or "failed",
            "the computation to finish");
    }

    [Fact]
    public async Task Ratings_ThenRecompute_RankAgentsByGlobalTrust()
    {
        var good = await RegisterAsync();
        var bad = await RegisterAsync();
        var rated = await RateAsync(_http, good, "{\"outcome\": \"satisfied\", \"weight\": 5, \"reason\": \"accurate\"}");
        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        var body = (await rated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("@users", (string?)body["rater"]);
        Assert.True((bool)body["recorded"]!);
        Assert.Equal(HttpStatusCode.OK, (await RateAsync(_http, bad, "{\"outcome\": \"unsatisfied\"}")).StatusCode);

        var status = await RecomputeAsync();
        Assert.Equal("succeeded", (string?)status["phase"]);
        Assert.True((bool)status["converged"]!);
        Assert.True((int)status["peers"]! >= 3);

        var goodTrust = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{good}/trust"))!;
        var badTrust = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{bad}/trust"))!;
        Assert.True((bool)goodTrust["computed"]!);
        Assert.True((double)goodTrust["trust"]! > (double)badTrust["trust"]!);
        Assert.True((int)goodTrust["rank"]! < (int)badTrust["rank"]!);

        var first = (await _http.GetFromJsonAsync<JsonObject>("/api/trust?limit=1"))!;
        var item = Assert.Single(first["items"]!.AsArray())!;
        Assert.Equal(1, (int)item["rank"]!);
        var next = (await _http.GetFromJsonAsync<JsonObject>($"/api/trust?limit=1&cursor={(string?)first["nextCursor"]}"))!;
        var second = Assert.Single(next["items"]!.AsArray())!;
        Assert.Equal(2, (int)second["rank"]!);
        Assert.True((double)item["trust"]! >= (double)second["trust"]!);
        Assert.Equal((long)first["version"]!, (long)next["version"]!);

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains("orleansagents_trust_ratings{outcome=\"satisfied\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_trust_ratings{outcome=\"unsatisfied\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_trust_recomputes{outcome=\"succeeded\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_trust_recompute_duration_seconds{domain=\"default\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_trust_iterations{domain=\"default\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_trust_residual{domain=\"default\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_trust_peers{domain=\"default\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_GetsProblemsWithCodes()
    {
        var id = await RegisterAsync();
        await ProblemAssert.IsAsync(await RateAsync(_http, "tr-nobody", "{\"outcome\": \"satisfied\"}"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await RateAsync(_http, "Bad!", "{\"outcome\": \"satisfied\"}"), HttpStatusCode.BadRequest, "agent.invalid_id");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{}"), HttpStatusCode.BadRequest, "trust.invalid_outcome");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"great\"}"), HttpStatusCode.BadRequest, "request.wrong_type");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"satisfied\", \"weight\": 0}"), HttpStatusCode.BadRequest, "trust.invalid_weight");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"satisfied\", \"weight\": 1000}"), HttpStatusCode.BadRequest, "trust.invalid_weight");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"satisfied\", \"weight\": \"heavy\"}"), HttpStatusCode.BadRequest, "request.wrong_type");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, $"{{\"outcome\": \"satisfied\", \"reason\": \"{new string('x', 201)}\"}}"), HttpStatusCode.BadRequest, "trust.invalid_reason");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, $"{{\"outcome\": \"satisfied\", \"rater\": \"{id}\"}}"), HttpStatusCode.BadRequest, "trust.self_rating");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"satisfied\", \"rater\": \"@users\"}"), HttpStatusCode.BadRequest, "trust.invalid_rater");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"satisfied\", \"rater\": \"tr-ghost\"}"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await RateAsync(_http, id, "{\"outcome\": \"satisfied\", \"stars\": 5}"), HttpStatusCode.BadRequest, "request.unknown_field");

        await ProblemAssert.IsAsync(await _http.GetAsync("/api/agents/tr-nobody/trust"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/trust?limit=0"), HttpStatusCode.BadRequest, "request.invalid_limit");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/trust?limit=201"), HttpStatusCode.BadRequest, "request.invalid_limit");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/trust?cursor=zzz"), HttpStatusCode.BadRequest, "request.invalid_cursor");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/trust?cursor=999999.0"), HttpStatusCode.BadRequest, "request.invalid_cursor");
    }

    [Fact]
    public async Task RatingAsAnAgent_IsForItsOwnerAndTrustAdmins()
    {
        var rater = await RegisterAsync(owner: "carol");
        var target = await RegisterAsync();
        var json = $"{{\"outcome\": \"satisfied\", \"rater\": \"{rater}\"}}";

        var owner = await RateAsync(factory.ClientFor("carol", "analyst"), target, json);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.Equal(rater, (string?)(await owner.Content.ReadFromJsonAsync<JsonObject>())!["rater"]);
        await ProblemAssert.IsAsync(await RateAsync(factory.ClientFor("dave", "analyst"), target, json), HttpStatusCode.Forbidden, "trust.rater_forbidden");
        Assert.Equal(HttpStatusCode.OK, (await RateAsync(_http, target, json)).StatusCode);
        await ProblemAssert.IsAsync(await RateAsync(factory.ClientFor("vera", "viewer"), target, "{\"outcome\": \"satisfied\"}"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(HttpStatusCode.OK, (await factory.ClientFor("vera", "viewer").GetAsync($"/api/agents/{target}/trust")).StatusCode);
        await ProblemAssert.IsAsync(await factory.ClientFor("vera", "viewer").PostAsync("/api/trust/recompute", null), HttpStatusCode.Forbidden, "auth.forbidden");
    }
}
