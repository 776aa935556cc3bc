using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// The owner's daily USD budget (RateLimiting:Tiers:{tier}:UsdPerDay) and the usage report
/// <c>GET /api/usage?by=&amp;from=&amp;to=</c>. The fixture's tier <c>test-pennies</c> allows
/// 0.00001 USD a day, less than one scripted turn (0.00002 USD).
/// </summary>
public sealed class UsageTests(HostedAgentsFixture fixture) : IClassFixture<HostedAgentsFixture>
{
    private readonly string _user = "dev-" + Guid.NewGuid().ToString("N")[..8];

    private HttpClient Dev => fixture.Api.ClientFor(_user, Roles.Developer);

    private static async Task<string> ConversationAsync(HttpClient http)
    {
        var id = "usage-" + Guid.NewGuid().ToString("N")[..12];
        var registered = await http.PostAsJsonAsync("/api/agents", new { id, name = "spender", model = new { provider = HostedAgentsFixture.Provider, model = "plain" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var created = await http.PostAsync($"/api/agents/{id}/conversations", null);
        return (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private static async Task<JsonObject> UsageAsync(HttpClient http, int turns) =>
        (await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonObject>("/api/usage"), u => (int)u!["turns"]! >= turns,
            $"the caller's usage to count {turns} turns", describe: u => u!.ToJsonString()))!;

    [Fact]
    public async Task OverTheTiersDailyUsd_AMessageIs429UntilMidnight_BeforeAnyProviderCall()
    {
        var admin = fixture.Api.ClientFor("admin-" + Guid.NewGuid().ToString("N")[..8], Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/rate-limits/{_user}/tier", new { tier = "test-pennies" })).StatusCode);
        var dev = Dev;
        var conversation = await ConversationAsync(dev);

        // Under the budget (nothing spent yet) a turn runs; it costs more than the whole day's budget.
        Assert.Equal(HttpStatusCode.Accepted, (await dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "first" })).StatusCode);
        Assert.Equal(0.00002m, (decimal)(await UsageAsync(dev, 1))["costUsd"]!);

        // The owner's cost is also a metric (the Grafana panel "cost per hour by user").
        var metrics = await fixture.Api.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains($"orleansagents_conversations_user_cost_usd{{user=\"{_user}\"}} ", metrics, StringComparison.Ordinal);

        var marker = "second " + Guid.NewGuid().ToString("N");
        var refused = await dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = marker });
        await ProblemAssert.IsAsync(refused, HttpStatusCode.TooManyRequests, "budget.exceeded");
        var untilMidnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, untilMidnight - TimeSpan.FromMinutes(1), untilMidnight + TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(fixture.Llm.Requests, r => r.ToJsonString().Contains(marker, StringComparison.Ordinal));

        // Another conversation, another agent: the budget is the user's, so it is refused too.
        var other = await ConversationAsync(dev);
        await ProblemAssert.IsAsync(await dev.PostAsJsonAsync($"/api/conversations/{other}/messages", new { content = marker }),
            HttpStatusCode.TooManyRequests, "budget.exceeded");
    }

    [Fact]
    public async Task TheReport_GroupsTheCallersOwnRows_AndEveryonesWithSystemMetrics()
    {
        var dev = Dev;
        var conversation = await ConversationAsync(dev);
        Assert.Equal(HttpStatusCode.Accepted, (await dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "hi" })).StatusCode);
        await UsageAsync(dev, 1);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // A developer holds system:metrics: without user= the report covers every user.
        var all = await Eventually.HoldsAsync(() => dev.GetFromJsonAsync<JsonObject>($"/api/usage?by=user&from={today}&to={today}"),
            r => r!["groups"]!.AsArray().Any(g => (string?)g!["key"] == _user), "the report to list the caller", describe: r => r!.ToJsonString());
        Assert.Null(all!["user"]);
        Assert.Equal(15, (long)all["groups"]!.AsArray().Single(g => (string?)g!["key"] == _user)!["tokens"]!);

        var byModel = (await dev.GetFromJsonAsync<JsonObject>($"/api/usage?by=model&user={_user}"))!;
        Assert.Equal(_user, (string?)byModel["user"]);
        Assert.Equal($"{HostedAgentsFixture.Provider}/plain", (string?)byModel["groups"]![0]!["key"]);
        Assert.Equal(0.00002m, (decimal)byModel["costUsd"]!);

        // A guest sees only its own rows (none), and not someone else's.
        var guest = fixture.Api.ClientFor("guest-" + Guid.NewGuid().ToString("N")[..8], Roles.Guest);
        var own = (await guest.GetFromJsonAsync<JsonObject>("/api/usage?by=user"))!;
        Assert.Empty(own["groups"]!.AsArray());
        await ProblemAssert.IsAsync(await guest.GetAsync($"/api/usage?by=user&user={_user}"), HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Theory]
    [InlineData("by=team", "usage.invalid_group")]
    [InlineData("by=user&from=2026-13-01", "usage.invalid_range")]
    [InlineData("by=user&from=yesterday", "usage.invalid_range")]
    [InlineData("by=agent&from=2026-03-02&to=2026-03-01", "usage.invalid_range")]
    [InlineData("by=model&from=2026-01-01&to=2026-04-03", "usage.invalid_range")] // 93 days
    [InlineData("by=model&to=2999-01-01", "usage.invalid_range")] // after today
    public async Task AMalformedReportQuery_Is400(string query, string code) =>
        await ProblemAssert.IsAsync(await Dev.GetAsync("/api/usage?" + query), HttpStatusCode.BadRequest, code);
}
