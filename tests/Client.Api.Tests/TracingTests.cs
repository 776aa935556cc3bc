using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class TracingTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task ProblemDetails_CarryTheW3CTraceIdOfTheCallersTraceparent()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/agents/no-such-agent-for-tracing");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(traceId, (string?)problem!["traceId"]);
    }

    [Fact]
    public async Task ProblemDetails_HaveATraceIdWithoutAnIncomingTrace()
    {
        var response = await _http.GetAsync("/no-such-route");

        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Matches("^[0-9a-f]{32}$", (string?)problem!["traceId"]);
    }
}
