using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class CircuitBreakersApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private static string NewName() => "http:api-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Isolate_ThenGetAndList_ShowIt_AndCloseReopensTheWay()
    {
        var name = NewName();

        var isolated = await _http.PostAsJsonAsync($"/api/circuit-breakers/{name}/isolate", new { reason = "provider maintenance" });
        Assert.Equal(HttpStatusCode.OK, isolated.StatusCode);
        var view = await _http.GetFromJsonAsync<JsonObject>($"/api/circuit-breakers/{name}");
        Assert.Equal("isolated", (string?)view!["state"]);
        Assert.Equal("isolated by hand: provider maintenance", (string?)view["transitions"]![0]!["reason"]);
        Assert.Equal(5, (double)view["settings"]!["breakDurationSeconds"]!);
        Assert.Equal(30, (double)view["settings"]!["samplingDurationSeconds"]!);

        var all = await _http.GetFromJsonAsync<JsonArray>("/api/circuit-breakers");
        Assert.Contains(all!, b => (string?)b!["name"] == name && (string?)b["state"] == "isolated");

        var closed = await _http.PostAsync($"/api/circuit-breakers/{name}/close", null);
        Assert.Equal("closed", (string?)(await closed.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
    }

    [Fact]
    public async Task ResetAll_ClosesEveryBreaker()
    {
        var name = NewName();
        await _http.PostAsync($"/api/circuit-breakers/{name}/isolate", null);

        var reset = await _http.PostAsync("/api/circuit-breakers/reset-all", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var views = await reset.Content.ReadFromJsonAsync<JsonArray>();
        Assert.All(views!, b => Assert.Equal("closed", (string?)b!["state"]));
        Assert.Contains(views!, b => (string?)b!["name"] == name);
    }

    [Fact]
    public async Task Metrics_ExposeStateAndTransitions()
    {
        var name = NewName();
        await _http.PostAsync($"/api/circuit-breakers/{name}/isolate", null);

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");

        Assert.Contains($"orleansagents_resilience_breaker_state{{breaker=\"{name}\"}} 3", metrics, StringComparison.Ordinal);
        Assert.Contains($"orleansagents_resilience_breaker_transitions{{breaker=\"{name}\",to=\"isolated\"}} 1", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/circuit-breakers/Bad%20Name", "breaker.invalid_name")]
    [InlineData("POST", "/api/circuit-breakers/-x/isolate", "breaker.invalid_name")]
    [InlineData("POST", "/api/circuit-breakers/UPPER/close", "breaker.invalid_name")]
    public async Task BadNames_Return400(string method, string url, string code)
    {
        var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task UnknownBreaker_Returns404_AndATooLongReason400()
    {
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/circuit-breakers/{NewName()}"), HttpStatusCode.NotFound, "breaker.not_found");
        var tooLong = await _http.PostAsJsonAsync($"/api/circuit-breakers/{NewName()}/isolate", new { reason = new string('r', 201) });
        await ProblemAssert.IsAsync(tooLong, HttpStatusCode.BadRequest, "breaker.invalid_reason");
        var unknownField = await _http.PostAsJsonAsync($"/api/circuit-breakers/{NewName()}/isolate", new { why = "x" });
        await ProblemAssert.IsAsync(unknownField, HttpStatusCode.BadRequest, "request.unknown_field");
    }
}
