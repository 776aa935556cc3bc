using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// A hosted agent's health is its provider's: with the breaker <c>llm:{provider}</c> isolated the agent
/// is <c>degraded</c>, routing passes it over while a healthy agent can take the work, and a message to
/// it is refused with 503 <c>agent.degraded</c>. Its own fixture, since it isolates a breaker.
/// </summary>
public sealed class HostedAgentHealthTests(HostedAgentsFixture fixture) : IClassFixture<HostedAgentsFixture>
{
    private readonly HttpClient _admin = fixture.Api.ClientFor("ops-" + Guid.NewGuid().ToString("N")[..8], Roles.Admin);
    private readonly HttpClient _dev = fixture.Api.ClientFor("dev-" + Guid.NewGuid().ToString("N")[..8], Roles.Developer);

    private async Task<string> RegisterAsync(string id, string provider, string capability)
    {
        var response = await _dev.PostAsJsonAsync("/api/agents", new
        {
            id, name = "assistant", capabilities = new[] { capability }, model = new { provider, model = "plain" },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private Task<JsonObject> StatusAsync(string agent, string status) => Eventually.HoldsAsync(
        async () => (await _dev.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}"))!,
        view => (string?)view["status"] == status, $"agent {agent} {status}", describe: view => view.ToJsonString());

    [Fact]
    public async Task ProviderBreakerIsolated_AgentIsDegraded_RoutingPrefersHealthy_AndMessagesAre503()
    {
        var capability = "cap-" + Guid.NewGuid().ToString("N")[..8];
        // The degraded agent's id sorts first, so an unfiltered ranking would likely pick it.
        var degraded = await RegisterAsync("a-" + Guid.NewGuid().ToString("N")[..10], HostedAgentsFixture.SecondProvider, capability);
        var healthy = await RegisterAsync("z-" + Guid.NewGuid().ToString("N")[..10], HostedAgentsFixture.Provider, capability);
        var conversation = (string)(await (await _dev.PostAsync($"/api/agents/{degraded}/conversations", null)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var breaker = "llm:" + HostedAgentsFixture.SecondProvider;
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/circuit-breakers/{breaker}/isolate", new { reason = "provider maintenance" })).StatusCode);
        try
        {
            var view = await StatusAsync(degraded, "degraded");
            Assert.Null(view["degradedUntil"]); // isolated: no retry time
            Assert.Equal("idle", (string?)(await _dev.GetFromJsonAsync<JsonObject>($"/api/agents/{healthy}"))!["status"]);

            for (var i = 0; i < 6; i++)
            {
                var routed = await _dev.PostAsJsonAsync("/api/tasks", new { capability, skill = "echo", input = i });
                Assert.Equal(HttpStatusCode.Accepted, routed.StatusCode);
                Assert.Equal(healthy, (string?)(await routed.Content.ReadFromJsonAsync<JsonObject>())!["agentId"]);
            }

            var refused = await _dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "hello" });
            await ProblemAssert.IsAsync(refused, HttpStatusCode.ServiceUnavailable, "agent.degraded");
            Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        }
        finally
        {
            await _admin.PostAsync($"/api/circuit-breakers/{breaker}/close", null);
        }

        await StatusAsync(degraded, "idle");
        var accepted = await _dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "hello" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }
}
