using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Security.Audit;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class AuditApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    /// <summary>A fresh operator: the actor is the authenticated subject.</summary>
    private static string NewOperator() => "op-" + Guid.NewGuid().ToString("N")[..10];

    private Task<HttpResponseMessage> AsAsync(string actor, HttpMethod method, string url, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        return factory.ClientFor(actor, OrleansAgents.Security.Roles.Admin).SendAsync(request);
    }

    private async Task<JsonObject> AuditAsync(string query)
    {
        var response = await _http.GetAsync("/api/audit?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task IsolatingABreaker_WritesAnEntry_VisibleInGetAudit()
    {
        var actor = NewOperator();
        var breaker = "http:audit-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(HttpStatusCode.OK, (await AsAsync(actor, HttpMethod.Post, $"/api/circuit-breakers/{breaker}/isolate", new { reason = "provider maintenance" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(actor, HttpMethod.Post, $"/api/circuit-breakers/{breaker}/close")).StatusCode);

        var page = await AuditAsync($"actor={actor}");
        var items = page["items"]!.AsArray();
        Assert.Equal([AuditActions.BreakerClosed, AuditActions.BreakerIsolated], items.Select(i => (string?)i!["action"]));
        var isolated = items[1]!;
        Assert.Equal(actor, (string?)isolated["actor"]);
        Assert.Equal(breaker, (string?)isolated["target"]);
        Assert.Equal(AuditOutcomes.Succeeded, (string?)isolated["outcome"]);
        Assert.Equal("reason: provider maintenance", (string?)isolated["detail"]);
        Assert.True((long)isolated["id"]! > 0);
        Assert.True(DateTimeOffset.UtcNow - (DateTimeOffset)isolated["at"]! < TimeSpan.FromMinutes(1));
        Assert.Null(page["nextCursor"]);
    }

    [Fact]
    public async Task ResettingARateLimit_AndChangingTiers_WriteEntries_FailuresIncluded()
    {
        var actor = NewOperator();
        var user = "rl-audit-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(HttpStatusCode.OK, (await AsAsync(actor, HttpMethod.Post, $"/api/rate-limits/{user}/reset")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(actor, HttpMethod.Put, $"/api/rate-limits/{user}/tier", new { tier = "free" })).StatusCode);
        await ProblemAssert.IsAsync(
            await AsAsync(actor, HttpMethod.Put, $"/api/rate-limits/{user}/tier", new { tier = "platinum-plus" }), HttpStatusCode.BadRequest, "rate_limit.unknown_tier");

        var items = (await AuditAsync($"actor={actor}"))["items"]!.AsArray();
        Assert.Equal(
            [
                (AuditActions.RateLimitTier, AuditOutcomes.Failed, "tier: platinum-plus; error: rate_limit.unknown_tier"),
                (AuditActions.RateLimitTier, AuditOutcomes.Succeeded, "tier: free"),
                (AuditActions.RateLimitReset, AuditOutcomes.Succeeded, (string?)null),
            ],
            items.Select(i => ((string?)i!["action"], (string?)i["outcome"], (string?)i["detail"])));
        Assert.All(items, i => Assert.Equal(user, (string?)i!["target"]));
    }

    [Fact]
    public async Task ResetAll_IsAudited_AndActionFilterFindsIt()
    {
        var actor = NewOperator();

        Assert.Equal(HttpStatusCode.OK, (await AsAsync(actor, HttpMethod.Post, "/api/circuit-breakers/reset-all")).StatusCode);

        var entry = Assert.Single((await AuditAsync($"actor={actor}&action={AuditActions.BreakerResetAll}"))["items"]!.AsArray())!;
        Assert.StartsWith("closed ", (string?)entry["detail"], StringComparison.Ordinal);
        Assert.Empty((await AuditAsync($"actor={actor}&action={AuditActions.BreakerIsolated}"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Get_PagesWithTheCursor_AndFiltersByTime()
    {
        var actor = NewOperator();
        for (var i = 0; i < 3; i++)
        {
            await AsAsync(actor, HttpMethod.Post, $"/api/rate-limits/{actor}-{i}/reset");
        }

        var first = await AuditAsync($"actor={actor}&limit=2");
        var second = await AuditAsync($"actor={actor}&limit=2&cursor={(string?)first["nextCursor"]}");

        Assert.Equal([$"{actor}-2", $"{actor}-1"], first["items"]!.AsArray().Select(i => (string?)i!["target"]));
        Assert.Equal([$"{actor}-0"], second["items"]!.AsArray().Select(i => (string?)i!["target"]));
        Assert.Null(second["nextCursor"]);

        var hourAgo = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));
        var inAnHour = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Equal(3, (await AuditAsync($"actor={actor}&from={hourAgo}&to={inAnHour}"))["items"]!.AsArray().Count);
        Assert.Empty((await AuditAsync($"actor={actor}&from={inAnHour}"))["items"]!.AsArray());
        Assert.Empty((await AuditAsync($"actor={actor}&to={hourAgo}"))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "audit.invalid_query")]
    [InlineData("from=yesterday", "audit.invalid_query")]
    [InlineData("to=2026-13-01", "audit.invalid_query")]
    [InlineData("actor=", "audit.invalid_query")]
    [InlineData("cursor=not-a-cursor!", "request.invalid_cursor")]
    [InlineData("cursor=YWJj", "request.invalid_cursor")]
    [InlineData("cursor=LTE", "request.invalid_cursor")]
    [InlineData("limit=0", "request.invalid_limit")]
    [InlineData("limit=201", "request.invalid_limit")]
    [InlineData("limit=ten", "request.invalid_limit")]
    public async Task Get_RefusesABadQuery(string query, string code) =>
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/audit?" + query), HttpStatusCode.BadRequest, code);

    [Fact]
    public async Task Get_AcceptsTheLimitBounds()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/audit?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/audit?limit=200")).StatusCode);
    }

    [Fact]
    public async Task AFailingAuditStore_DoesNotFailTheAction()
    {
        await using var broken = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IAuditStore, BrokenAuditStore>()));
        var http = broken.CreateClient();
        var breaker = "http:audit-broken-" + Guid.NewGuid().ToString("N")[..8];

        var isolated = await http.PostAsync($"/api/circuit-breakers/{breaker}/isolate", null);

        Assert.Equal(HttpStatusCode.OK, isolated.StatusCode);
        Assert.Equal("isolated", (string?)(await isolated.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
        // The broken store really is the one in use: reading the log fails.
        await ProblemAssert.IsAsync(await http.GetAsync("/api/audit"), HttpStatusCode.InternalServerError, "server.error");
    }

    private sealed class BrokenAuditStore : IAuditStore
    {
        public Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the audit database is down");

        public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the audit database is down");
    }
}
