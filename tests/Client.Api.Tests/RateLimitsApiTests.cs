using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class RateLimitsApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private static string NewUser() => "rl-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> FreeUserAsync()
    {
        var user = NewUser();
        var response = await _http.PutAsJsonAsync($"/api/rate-limits/{user}/tier", new { tier = "free" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return user;
    }

    /// <summary>A request by an authenticated user (a viewer): the bucket is the user's.</summary>
    private Task<HttpResponseMessage> AsUserAsync(string user, string url) =>
        factory.ClientFor(user, OrleansAgents.Security.Roles.Viewer).GetAsync(url);

    [Fact]
    public async Task EveryApiResponse_CarriesTheRateLimitHeaders()
    {
        var user = await FreeUserAsync();

        var response = await AsUserAsync(user, "/api/agents");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"minute\";q=10;w=60, \"hour\";q=100;w=3600, \"day\";q=500;w=86400",
            response.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Matches("^\"minute\";r=9;t=[0-9]+, \"hour\";r=99;t=[0-9]+, \"day\";r=499;t=[0-9]+$",
            response.Headers.GetValues("RateLimit").Single());
    }

    [Fact]
    public async Task OverTheLimit_Returns429ProblemWithRetryAfterAndThePolicy()
    {
        var user = await FreeUserAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AsUserAsync(user, "/api/agents")).StatusCode);
        }

        var rejected = await AsUserAsync(user, "/api/agents");

        await ProblemAssert.IsAsync(rejected, HttpStatusCode.TooManyRequests, "rate_limit.exceeded");
        var retryAfter = int.Parse(rejected.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 6);
        Assert.StartsWith("\"minute\";r=0;", rejected.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        var problem = await rejected.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("minute", (string?)problem!["policy"]);
        Assert.Equal("free", (string?)problem["tier"]);

        // Another caller is not affected: buckets are per user.
        Assert.Equal(HttpStatusCode.OK, (await AsUserAsync(await FreeUserAsync(), "/api/agents")).StatusCode);
    }

    [Fact]
    public async Task Get_ShowsUsage_AndConfiguredRouteCostsApply()
    {
        var user = await FreeUserAsync();
        await AsUserAsync(user, "/api/agents");

        // This GET is itself configured to cost 3 (see ApiFactory).
        var status = await (await AsUserAsync(user, $"/api/rate-limits/{user}")).Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal("free", (string?)status!["tier"]);
        var hour = status["windows"]!.AsArray().Single(w => (string?)w!["name"] == "hour")!;
        Assert.Equal(100, (int)hour["limit"]!);
        Assert.Equal(4, (int)hour["used"]!);
        Assert.Equal(3600, (int)hour["windowSeconds"]!);
    }

    [Fact]
    public async Task Reset_RestoresTheQuota()
    {
        var user = await FreeUserAsync();
        for (var i = 0; i < 11; i++)
        {
            await AsUserAsync(user, "/api/agents");
        }

        var reset = await _http.PostAsync($"/api/rate-limits/{user}/reset", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AsUserAsync(user, "/api/agents")).StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/api/rate-limits/UPPER/tier", "{\"tier\":\"pro\"}", "rate_limit.invalid_user")]
    [InlineData("PUT", "/api/rate-limits/ok-user/tier", "{\"tier\":\"gold\"}", "rate_limit.unknown_tier")]
    [InlineData("PUT", "/api/rate-limits/ok-user/tier", "{}", "rate_limit.unknown_tier")]
    [InlineData("PUT", "/api/rate-limits/ok-user/tier", "{\"tier\":5}", "request.wrong_type")]
    [InlineData("GET", "/api/rate-limits/bad%20user", null, "rate_limit.invalid_user")]
    [InlineData("POST", "/api/rate-limits/-dash/reset", null, "rate_limit.invalid_user")]
    public async Task BadInput_Returns400WithACode(string method, string url, string? body, string code)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        await ProblemAssert.IsAsync(await _http.SendAsync(request), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task AClientIdHeader_DoesNotChangeWhoIsCharged()
    {
        var user = await FreeUserAsync();
        using var client = factory.ClientFor(user, OrleansAgents.Security.Roles.Viewer);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/agents")).StatusCode);
        }

        // Claiming another identity in a header does not reach a fresh bucket: the token's subject pays.
        using var spoof = new HttpRequestMessage(HttpMethod.Get, "/api/agents");
        spoof.Headers.Add("X-Client-Id", "someone-else");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(spoof)).StatusCode);
    }

    [Fact]
    public async Task Metrics_CountDecisionsByTierAndOutcome()
    {
        var user = await FreeUserAsync();
        for (var i = 0; i < 11; i++)
        {
            await AsUserAsync(user, "/api/agents");
        }

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains("orleansagents_ratelimiting_decisions{outcome=\"rejected\",tier=\"free\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_ratelimiting_decisions{outcome=\"allowed\",tier=\"free\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopLimited_ListsRejectedUsers_MostRejectionsFirst()
    {
        var most = await FreeUserAsync();
        var fewer = await FreeUserAsync();
        for (var i = 0; i < 13; i++)
        {
            await AsUserAsync(most, "/api/agents");
        }

        for (var i = 0; i < 11; i++)
        {
            await AsUserAsync(fewer, "/api/agents");
        }

        // Buckets report their first rejection at once, the rest within RejectionReportInterval.
        var top = await Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>("/api/rate-limits?limit=100"))!["items"]!.AsArray(),
            items => items.Any(i => (string?)i!["userId"] == most && (long)i["rejections"]! == 3) && items.Any(i => (string?)i!["userId"] == fewer),
            "both users listed with their rejections");
        var ours = top.Where(i => (string?)i!["userId"] is { } u && (u == most || u == fewer)).ToList();
        Assert.Equal([most, fewer], ours.Select(i => (string?)i!["userId"]));
        Assert.Equal("free", (string?)ours[0]!["tier"]);
        Assert.Equal(1, (long)ours[1]!["rejections"]!);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("ten")]
    public async Task TopLimited_BadLimit_Is400(string limit) =>
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/rate-limits?limit={limit}"), HttpStatusCode.BadRequest, "request.invalid_limit");

    [Fact]
    public async Task TopLimited_NeedsSystemMetrics() =>
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.ClientFor(NewUser(), OrleansAgents.Security.Roles.Guest).GetAsync("/api/rate-limits")).StatusCode);
}
