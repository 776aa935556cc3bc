using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansAgents.RateLimiting;
using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>
/// Issue 17 (low): an event stream ends when the credentials that opened it expire or are revoked,
/// a caller holds at most Streams:MaxConcurrentPerUser (8) at once, and a waiting stream costs the
/// one request that opened it.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class StreamSessionTests(ApiFactory factory)
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private static HttpClient WithToken(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string runId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{runId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Reads the stream to its end; completes when the server ends it.</summary>
    private static async Task DrainAsync(HttpResponseMessage response)
    {
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        while (await body.ReadAsync(buffer) > 0)
        {
        }
    }

    /// <summary>
    /// Reads up to the stream's first event (a waiting run's history comes first), which shows the
    /// stream open and serving; the returned task reads the rest and completes when the server ends it.
    /// </summary>
    private static async Task<Task> FirstEventThenDrainAsync(HttpResponseMessage response)
    {
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        while ((line = await reader.ReadLineAsync().WaitAsync(Eventually.DefaultWithin)) is not null && !line.StartsWith("data:", StringComparison.Ordinal))
        {
        }

        Assert.True(line is not null, "the stream ended before its first event");
        return RestAsync();

        async Task RestAsync()
        {
            using (reader)
            {
                while (await reader.ReadLineAsync() is not null)
                {
                }
            }
        }
    }

    private static async Task<bool> EndsWithinAsync(Task drained, TimeSpan deadline) =>
        await Task.WhenAny(drained, Task.Delay(deadline)) == drained;

    [Fact]
    public async Task AStream_EndsWhenItsTokenIsRevoked_ByLogout()
    {
        var name = NewId("sse");
        var admin = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/users", new { name, password = "stream-password-1", roles = new[] { Roles.Developer } })).StatusCode);
        var login = await factory.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { username = name, password = "stream-password-1" });
        var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
        var user = WithToken(factory.CreateClient(), token);
        var runId = await ApprovalTests.WaitingRunAsync(user);

        using var stream = await OpenAsync(user, runId);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        var drained = await FirstEventThenDrainAsync(stream);

        Assert.Equal(HttpStatusCode.NoContent, (await user.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.True(await EndsWithinAsync(drained, TimeSpan.FromSeconds(20)), "the stream outlived its revoked token");
    }

    [Fact]
    public async Task AStream_EndsWhenItsTokenExpires()
    {
        var subject = NewId("sse-exp");
        var owner = factory.ClientFor(subject, Roles.Developer);
        var runId = await ApprovalTests.WaitingRunAsync(owner);
        var expires = DateTime.UtcNow.AddSeconds(5);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "orleans-agents",
            Audience = "orleans-agents-api",
            IssuedAt = DateTime.UtcNow.AddMinutes(-1),
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["roles"] = new[] { Roles.Developer }, ["jti"] = Guid.NewGuid().ToString("N") },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ApiFactory.SigningKey)) { KeyId = "test-1" }, SecurityAlgorithms.HmacSha256),
        });

        using var stream = await OpenAsync(WithToken(factory.CreateClient(), token), runId);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        var drained = DrainAsync(stream);
        Assert.True(await EndsWithinAsync(drained, TimeSpan.FromSeconds(30)), "the stream outlived its token");
        Assert.True(DateTime.UtcNow >= expires.AddSeconds(-1), "the stream ended long before the token expired");
    }

    [Fact]
    public async Task OpenStreams_AreCappedPerUser_AndASlotComesBackWhenOneCloses()
    {
        var subject = NewId("sse-cap");
        var owner = factory.ClientFor(subject, Roles.Developer);
        var runId = await ApprovalTests.WaitingRunAsync(owner);
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var response = await OpenAsync(owner, runId);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                open.Add(response);
            }

            await ProblemAssert.IsAsync(await OpenAsync(owner, runId), HttpStatusCode.TooManyRequests, "stream.too_many");

            // Someone else is not affected by this user's streams.
            using (var other = await OpenAsync(factory.ClientFor(NewId("olga"), Roles.Operator), runId))
            {
                Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            }

            open[0].Dispose();
            open.RemoveAt(0);
            var again = await Eventually.HoldsAsync(async () =>
            {
                var response = await OpenAsync(owner, runId);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    response.Dispose();
                }

                return response;
            }, r => r.StatusCode != HttpStatusCode.TooManyRequests, "the closed stream's slot to come back", describe: r => $"{(int)r.StatusCode}");
            open.Add(again);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task AWaitingStream_CostsOnlyTheRequestThatOpenedIt()
    {
        // The admin (unlimited) starts the run; an operator on the real free tier watches it across a long-poll (15 s).
        var runId = await ApprovalTests.WaitingRunAsync(factory.CreateClient());
        var watcher = NewId("sse-budget");
        var bucket = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IRateLimitBucketGrain>(watcher);
        await bucket.SetTierAsync("free");

        using var stream = await OpenAsync(factory.ClientFor(watcher, Roles.Operator), runId);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(17));

        // The hour and day windows count requests (the minute is a refilling bucket): one each.
        var windows = (await bucket.GetStatusAsync()).Windows;
        Assert.Equal(1, windows.Single(w => w.Name == RateLimitWindows.Hour).Used);
        Assert.Equal(1, windows.Single(w => w.Name == RateLimitWindows.Day).Used);
    }
}
