using System.Text.Json;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Tests.Skills;

/// <summary>http.request on real silos against real Kestrel targets.</summary>
public sealed class HttpRequestSkillTests(SkillsClusterFixture fixture) : IClassFixture<SkillsClusterFixture>
{
    private ISkill Skill => fixture.Skill("http.request");

    private string Url(string path) => new Uri(fixture.Target.BaseUri, path).ToString();

    private async Task<JsonElement> RunAsync(object input)
    {
        var context = SkillsClusterFixture.Context(input);
        Assert.Empty(Skill.Validate(context.Input));
        return await Skill.ExecuteAsync(context, default);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/api/json", "matches no prefix in Skills:Http:AllowedUrls")]
    [InlineData("ftp://127.0.0.1/api/json", "only http and https")]
    [InlineData("file:///etc/passwd", "only http and https")]
    public void Validate_RejectsUrlsOutsideTheAllowList(string url, string message)
    {
        var errors = Skill.Validate(JsonSerializer.SerializeToElement(new { method = "GET", url }));

        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RejectsAPathOutsideTheAllowedPrefix_AndBadFields()
    {
        Assert.Contains(Skill.Validate(JsonSerializer.SerializeToElement(new { method = "GET", url = Url("other/x") })),
            e => e.Contains("AllowedUrls", StringComparison.Ordinal));
        Assert.Equal(3, Skill.Validate(JsonSerializer.SerializeToElement(new { method = "FETCH", url = Url("api/json"), timeoutSeconds = 9999, headers = new { Host = "x" } })).Count);
    }

    [Fact]
    public async Task Get_ReturnsStatus_SafeHeadersOnly_AndJsonBody()
    {
        var result = await RunAsync(new { method = "GET", url = Url("api/json") });

        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.True(result.GetProperty("body").GetProperty("ok").GetBoolean());
        var headers = result.GetProperty("headers");
        Assert.StartsWith("application/json", headers.GetProperty("content-type").GetString(), StringComparison.Ordinal);
        Assert.Equal("\"v1\"", headers.GetProperty("etag").GetString());
        Assert.False(headers.TryGetProperty("set-cookie", out _));
        Assert.False(headers.TryGetProperty("x-internal", out _));
        Assert.True(fixture.Metrics.HttpRequests(fixture.Target.HostLabel, "success") >= 1);
    }

    [Fact]
    public async Task Post_SendsJsonBodyAndHeaders_AndNeverReturnsThem()
    {
        var result = await RunAsync(new { method = "POST", url = Url("api/echo"), headers = new { Authorization = new { secret = "echo-token" } }, body = new { a = 1 } });

        var echoed = result.GetProperty("body");
        Assert.Equal("{\"a\":1}", echoed.GetProperty("body").GetString());
        Assert.StartsWith("application/json", echoed.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer s3cret", echoed.GetProperty("authorization").GetString()); // the target got it...
        Assert.DoesNotContain("s3cret", result.GetProperty("headers").GetRawText(), StringComparison.Ordinal); // ...the output does not carry it
    }

    /// <summary>Issue 17: a credential given inline would be stored with the task and shown to its readers.</summary>
    [Theory]
    [InlineData("Authorization")]
    [InlineData("X-Api-Key")]
    [InlineData("X-Auth-Token")]
    [InlineData("Cookie")]
    public void Validate_RefusesInlineCredentials_AndUnknownSecrets(string header)
    {
        var inline = Skill.Validate(JsonSerializer.SerializeToElement(new { method = "GET", url = Url("api/json"), headers = new Dictionary<string, object> { [header] = "s3cret" } }));
        var unknown = Skill.Validate(JsonSerializer.SerializeToElement(new { method = "GET", url = Url("api/json"), headers = new Dictionary<string, object> { [header] = new { secret = "nope" } } }));
        var plain = Skill.Validate(JsonSerializer.SerializeToElement(new { method = "GET", url = Url("api/json"), headers = new Dictionary<string, object> { ["Accept"] = "text/plain" } }));

        Assert.Contains(inline, e => e.Contains("carries a credential", StringComparison.Ordinal));
        Assert.DoesNotContain(inline, e => e.Contains("s3cret", StringComparison.Ordinal));
        Assert.Contains(unknown, e => e.Contains("not configured", StringComparison.Ordinal));
        Assert.Empty(plain);
    }

    [Fact]
    public async Task TextResponse_IsReturnedAsAString()
    {
        var result = await RunAsync(new { method = "GET", url = Url("api/text") });

        Assert.Equal("hello", result.GetProperty("body").GetString());
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(404, false)]
    [InlineData(400, false)]
    public async Task ErrorStatus_IsTransientOnlyFor408_429And5xx(int status, bool transient)
    {
        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { method = "GET", url = Url($"api/status/{status}") }));

        Assert.Equal($"http.status_{status}", ex.Code);
        Assert.Equal(transient, ex.Transient);
        Assert.Equal(status is 429 or 503 ? TimeSpan.FromSeconds(7) : null, ex.RetryAfter);
    }

    [Fact]
    public async Task SlowTarget_FailsTransientlyWithATimeout()
    {
        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { method = "GET", url = Url("api/slow"), timeoutSeconds = 0.5 }));

        Assert.Equal("http.timeout", ex.Code);
        Assert.True(ex.Transient);
    }

    [Theory]
    [InlineData("api/big")]
    [InlineData("api/big-chunked")]
    public async Task ResponseOverTheLimit_FailsNonTransiently(string path)
    {
        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { method = "GET", url = Url(path) }));

        Assert.Equal("http.response_too_large", ex.Code);
        Assert.False(ex.Transient);
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheHostBreaker_ThenCallsFailFastWithoutReachingTheHost()
    {
        var url = new Uri(fixture.Flaky.BaseUri, "api/status/500").ToString();
        var breaker = "http:" + fixture.Flaky.HostLabel;
        for (var i = 0; i < 4; i++)
        {
            var failure = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { method = "GET", url }));
            Assert.Equal("http.status_500", failure.Code);
        }

        await SkillsClusterFixture.WaitForAsync(() => fixture.Breakers.Get(breaker).Snapshot.State == BreakerState.Open, $"{breaker} to open");
        var hits = fixture.Flaky.HitsOf("/api/status/500");

        var rejected = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { method = "GET", url }));

        Assert.Equal("http.circuit_open", rejected.Code);
        Assert.True(rejected.Transient);
        Assert.True(rejected.RetryAfter > TimeSpan.Zero);
        Assert.Equal(hits, fixture.Flaky.HitsOf("/api/status/500"));
        Assert.Equal(4, hits);
        Assert.Equal(1, fixture.Metrics.HttpRequests(fixture.Flaky.HostLabel, "circuit_open"));
    }
}
