using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>
/// The API with its real default tier (free: 10 requests a minute) instead of the tests' unlimited
/// one, and RoleTiers as an operator would set them.
/// </summary>
public sealed class FreeTierApi : IDisposable
{
    private readonly ApiFactory _inner = new();

    public FreeTierApi() =>
        App = _inner.WithWebHostBuilder(b => b
            .UseSetting("RateLimiting:DefaultTier", "free")
            .UseSetting("RateLimiting:AnonymousTier", "anonymous")
            .UseSetting("RateLimiting:RoleTiers:admin", "enterprise")
            .UseSetting("RateLimiting:RoleTiers:operator", "pro"));

    public WebApplicationFactory<Program> App { get; }

    public HttpClient Anonymous() => App.CreateClient();

    public async Task<HttpClient> LoggedInAdminAsync()
    {
        var login = await Anonymous().PostAsJsonAsync("/api/auth/login", new { username = "admin", password = ApiFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (string?)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]);
        return client;
    }

    public void Dispose()
    {
        App.Dispose();
        _inner.Dispose();
    }
}

/// <summary>Issue 17, tiers that fit their users: who, what request, expected limit.</summary>
public sealed class TierTests(FreeTierApi api) : IClassFixture<FreeTierApi>
{
    private static string MinuteQuota(HttpResponseMessage response) =>
        response.Headers.GetValues("RateLimit-Policy").Single().Split(", ")[0];

    [Fact]
    public async Task BootstrapAdmin_MakesFiftyRequestsInAMinute_WithoutA429()
    {
        var admin = await api.LoggedInAdminAsync();

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 50; i++)
        {
            last = await admin.GetAsync("/api/agents");
            codes.Add(last.StatusCode);
        }

        Assert.All(codes, c => Assert.Equal(HttpStatusCode.OK, c));
        Assert.Equal("\"minute\";q=1000;w=60", MinuteQuota(last!));
        var me = await admin.GetFromJsonAsync<JsonObject>("/api/users/admin");
        Assert.Equal("enterprise", (string?)me!["tier"]);
    }

    [Fact]
    public async Task AnonymousRequests_AreLimitedByTheAnonymousTier_NotByFree()
    {
        // Login and refresh have a tier of their own (20 a minute), apart from new users' free tier (10).
        var anonymous = api.Anonymous();
        anonymous.DefaultRequestHeaders.Authorization = null; // the factory's clients carry the admin's token
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { username = "nobody-" + Guid.NewGuid().ToString("N")[..6], password = "wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal("\"minute\";q=20;w=60", MinuteQuota(login));

        var refresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "not-a-token" });
        Assert.Equal("\"minute\";q=20;w=60", MinuteQuota(refresh));
    }

    [Fact]
    public async Task ApiKey_CreatedWithATier_IsLimitedByThatTier()
    {
        var admin = await api.LoggedInAdminAsync();
        var created = await admin.PostAsJsonAsync("/api/api-keys", new { name = "worker", roles = new[] { Roles.Developer }, tier = "pro" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("pro", (string?)body["view"]!["tier"]);

        var worker = api.App.CreateClient();
        worker.DefaultRequestHeaders.Add("X-Api-Key", (string?)body["key"]);
        var response = await worker.GetAsync("/api/agents");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"minute\";q=100;w=60", MinuteQuota(response));
    }

    [Fact]
    public async Task ApiKey_WithoutATier_GetsTheTierOfItsRoles_OrTheDefault()
    {
        var admin = await api.LoggedInAdminAsync();

        async Task<string> MinuteOfKeyAsync(string role)
        {
            var created = await admin.PostAsJsonAsync("/api/api-keys", new { name = "k-" + role, roles = new[] { role } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var key = (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["key"];
            var client = api.App.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            return MinuteQuota(await client.GetAsync("/api/agents"));
        }

        Assert.Equal("\"minute\";q=100;w=60", await MinuteOfKeyAsync(Roles.Operator));
        Assert.Equal("\"minute\";q=10;w=60", await MinuteOfKeyAsync(Roles.Viewer));
    }

    [Fact]
    public async Task ApiKey_WithAnUnknownTier_IsRefused_AndNothingIsCreated()
    {
        var admin = await api.LoggedInAdminAsync();

        // A name no other test uses: the key list is shared by every test of the fixture.
        var name = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var response = await admin.PostAsJsonAsync("/api/api-keys", new { name, roles = new[] { Roles.Viewer }, tier = "platinum" });

        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, "rate_limit.unknown_tier");
        var keys = await admin.GetFromJsonAsync<JsonObject>("/api/api-keys");
        Assert.DoesNotContain(keys!["items"]!.AsArray(), k => (string?)k!["name"] == name);
    }

    [Fact]
    public async Task User_CreatedWithoutATier_StartsInTheTierOfItsRoles()
    {
        var admin = await api.LoggedInAdminAsync();
        var name = "tier-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.PostAsJsonAsync("/api/users", new { name, password = "operator-password-1", roles = new[] { Roles.Operator } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("pro", (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["tier"]);
        var status = await admin.GetFromJsonAsync<JsonObject>($"/api/rate-limits/{name}");
        Assert.Equal("pro", (string?)status!["tier"]);
    }
}
