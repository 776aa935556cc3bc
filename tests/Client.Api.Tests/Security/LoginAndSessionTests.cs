using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>Issue 17: lockout, client addresses behind the ingress, sessions that end, body limits.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class LoginAndSessionTests(ApiFactory factory)
{
    private const string Password = "correct horse battery";

    private readonly HttpClient _admin = factory.CreateClient();

    private async Task<string> CreateUserAsync(string role)
    {
        var name = "s-" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/users", new { name, password = Password, roles = new[] { role } })).StatusCode);
        return name;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string user, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { username = user, password });

    private async Task<(HttpClient Client, string Refresh)> SessionAsync(string user)
    {
        var login = await LoginAsync(factory.AnonymousClient(), user, Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = (await login.Content.ReadFromJsonAsync<JsonObject>())!;
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (string?)tokens["accessToken"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        return (client, (string)tokens["refreshToken"]!);
    }

    private async Task AssertSessionEndedAsync((HttpClient Client, string Refresh) session, string what)
    {
        Assert.True(HttpStatusCode.Unauthorized == (await session.Client.GetAsync("/api/auth/me")).StatusCode, $"{what}: the access token still works");
        var refresh = await factory.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.Refresh });
        Assert.True(HttpStatusCode.Unauthorized == refresh.StatusCode, $"{what}: the refresh token still works");
    }

    [Fact]
    public async Task FailedLogins_SlowTheGuesserDown_UnknownNamesAnswerTheSame_AndTheUserElsewhereIsNotLockedOut()
    {
        var user = await CreateUserAsync(Roles.Viewer);
        var stranger = factory.FromAddress("192.0.2.66");
        foreach (var name in new[] { user, "nobody-" + Guid.NewGuid().ToString("N")[..8] })
        {
            for (var i = 0; i < 5; i++)
            {
                await ProblemAssert.IsAsync(await LoginAsync(stranger, name, "wrong password " + i), HttpStatusCode.Unauthorized, "auth.invalid_credentials");
            }

            var throttled = await LoginAsync(stranger, name, Password);
            await ProblemAssert.IsAsync(throttled, HttpStatusCode.TooManyRequests, "auth.locked_out");
            Assert.NotNull(throttled.Headers.RetryAfter);
        }

        // The real user, from their own address, is not locked out by the stranger.
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(factory.FromAddress("198.51.100.7"), user, Password)).StatusCode);
    }

    [Fact]
    public async Task ForwardedFor_IsBelievedFromTheKnownProxyOnly()
    {
        var user = await CreateUserAsync(Roles.Viewer);
        HttpClient Via(string remote, string forwardedFor)
        {
            var client = factory.FromAddress(remote);
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
            return client;
        }

        // Through the ingress: one client's failures do not throttle another client behind the same proxy.
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(Via(ApiFactory.ProxyAddress, "203.0.113.1"), user, "wrong password " + i);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(Via(ApiFactory.ProxyAddress, "203.0.113.1"), user, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Via(ApiFactory.ProxyAddress, "203.0.113.2"), user, Password)).StatusCode);

        // Not from the proxy (loopback included, which ASP.NET trusts by default): the header is
        // ignored, so a guesser cannot rotate it to escape the throttle.
        foreach (var guesser in new[] { "192.0.2.99", "127.0.0.1", "::1" })
        {
            for (var i = 0; i < 5; i++)
            {
                await LoginAsync(Via(guesser, "203.0.113." + (10 + i)), user, "wrong password " + i);
            }

            Assert.True(HttpStatusCode.TooManyRequests == (await LoginAsync(Via(guesser, "203.0.113.50"), user, Password)).StatusCode, guesser);
        }
    }

    [Fact]
    public async Task PasswordChange_Disable_RoleRemoval_AndRevoke_EndEverySession()
    {
        var user = await CreateUserAsync(Roles.Developer);

        var session = await SessionAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsJsonAsync($"/api/users/{user}", new { password = "another good password", roles = new[] { Roles.Developer } })).StatusCode);
        await AssertSessionEndedAsync(session, "password change");
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsJsonAsync($"/api/users/{user}", new { password = Password, roles = new[] { Roles.Developer, Roles.Analyst } })).StatusCode);

        session = await SessionAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsJsonAsync($"/api/users/{user}", new { roles = new[] { Roles.Analyst } })).StatusCode);
        await AssertSessionEndedAsync(session, "role removal");

        session = await SessionAsync(user);
        var unrelated = await SessionAsync(await CreateUserAsync(Roles.Viewer));
        Assert.Equal(HttpStatusCode.OK, (await session.Client.PostAsync($"/api/users/{user}/sessions:revoke", null)).StatusCode);
        await AssertSessionEndedAsync(session, "sessions:revoke by the user");
        Assert.Equal(HttpStatusCode.OK, (await unrelated.Client.GetAsync("/api/auth/me")).StatusCode);

        // Someone else's sessions are not a viewer's business.
        Assert.Equal(HttpStatusCode.NotFound, (await unrelated.Client.PostAsync($"/api/users/{user}/sessions:revoke", null)).StatusCode);

        session = await SessionAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsJsonAsync($"/api/users/{user}", new { roles = new[] { Roles.Analyst }, disabled = true })).StatusCode);
        await AssertSessionEndedAsync(session, "disable");
    }

    [Fact]
    public void EveryApiRoute_HasABodyLimit_OfAtMostTwoMegabytes()
    {
        var unbounded = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>() is not { MaxRequestBodySize: <= 2 * 1024 * 1024 })
            .Select(e => e.DisplayName)
            .ToList();

        Assert.Empty(unbounded);
    }
}
