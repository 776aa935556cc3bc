using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class PlatformEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Health_LiveAndReady_AnswerWithTheClusterCheck()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        var ready = await _http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Healthy", (string?)body!["checks"]!["cluster"]!["status"]);
    }

    [Fact]
    public async Task OpenApi_DescribesEveryAgentsEndpoint_AndTheUiIsServed()
    {
        var doc = await _http.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        var paths = doc!["paths"]!.AsObject();
        Assert.Equal(["delete", "get", "put"], paths["/api/agents/{id}"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(["get", "post"], paths["/api/agents"]!.AsObject().Select(p => p.Key).Order());
        Assert.True(paths.ContainsKey("/api/agents/{id}/heartbeat"));
        Assert.DoesNotContain(paths, p => p.Key.StartsWith("/dashboard", StringComparison.Ordinal));

        var ui = await _http.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("scalar", await ui.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MetricsAndDashboard_AreNotOnThePublicPort()
    {
        foreach (var path in new[] { "/metrics", "/dashboard/" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await factory.AnonymousClient().GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Dashboard_IsServed()
    {
        var response = await factory.ManagementClient().GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Metrics_ExposeRequestDurationsByRouteAndStatus_AndAgentsByStatus()
    {
        await _http.GetAsync("/api/agents/no-such-agent-metrics");
        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");

        Assert.Contains("http_request_duration_seconds_bucket{code=\"404\",method=\"GET\"", metrics, StringComparison.Ordinal);
        Assert.Contains("endpoint=\"/api/agents/{id}\"", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_agents_registered{status=\"retired\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("microsoft_orleans_", metrics, StringComparison.Ordinal);
    }
}
