using System.Net;
using System.Text.Json;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Http;

namespace OrleansAgents.Tests.Skills;

/// <summary>
/// Issue 17, http.request SSRF: connections are judged on the addresses a name resolves to, so an
/// allow-listed name that points into the cluster (or is re-pointed there: DNS rebinding) is refused.
/// </summary>
public sealed class HttpAddressGuardTests(SkillsClusterFixture fixture) : IClassFixture<SkillsClusterFixture>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.9.9")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::1")]
    [InlineData("fe80::1")]
    public void InternalAddresses_AreRefused_ByDefault(string address) =>
        Assert.False(new AddressGuard(new HttpSkillOptions()).Permits(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void PublicAddresses_ArePermitted(string address) =>
        Assert.True(new AddressGuard(new HttpSkillOptions()).Permits(IPAddress.Parse(address)), address);

    [Fact]
    public void AllowedAddresses_AndIpLiteralUrls_OpenExactlyWhatTheyName()
    {
        var guard = new AddressGuard(new HttpSkillOptions { AllowedAddresses = ["10.20.0.0/16", "fd12::7"], AllowedUrls = ["http://127.0.0.1:5000/"] });
        Assert.True(guard.Permits(IPAddress.Parse("10.20.3.4")));
        Assert.False(guard.Permits(IPAddress.Parse("10.21.3.4")));
        Assert.True(guard.Permits(IPAddress.Parse("fd12::7")));
        // The literal URL opens 127.0.0.1 when a URL names it, not for a name that resolves to it.
        Assert.True(guard.Permits(IPAddress.Parse("127.0.0.1"), literalHost: true));
        Assert.True(guard.Permits(IPAddress.Parse("::ffff:127.0.0.1"), literalHost: true));
        Assert.False(guard.Permits(IPAddress.Parse("127.0.0.1")));
        Assert.False(guard.Permits(IPAddress.Parse("127.0.0.2"), literalHost: true));
        Assert.False(guard.Permits(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void Validator_RefusesAnAllowedAddressThatIsNotOne()
    {
        var failures = ValidatedOptionsTests.StartFails<HttpSkillOptions>(new()
        {
            ["Skills:Http:AllowedAddresses:0"] = "10.0.0.0/8",
            ["Skills:Http:AllowedAddresses:1"] = "intranet",
            ["Skills:Http:AllowedAddresses:2"] = "10.0.0.0/99",
        }).Failures;
        Assert.Equal(2, failures.Count());
        Assert.Contains(failures, f => f.StartsWith("Skills:Http:AllowedAddresses:1 'intranet'", StringComparison.Ordinal));
    }

    /// <summary>A handler as the silo builds it, with a resolver the test controls (what a rebinding DNS server would answer).</summary>
    private static HttpClient ClientResolvingTo(HttpSkillOptions options, params string[] addresses) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = new AddressGuard(options).ConnectCallback((_, _) => Task.FromResult(addresses.Select(IPAddress.Parse).ToArray())),
        });

    [Fact]
    public async Task ANameResolvingToAPrivateAddress_IsRefusedBeforeConnecting()
    {
        using var client = ClientResolvingTo(new HttpSkillOptions(), "10.0.0.7");
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://rebind.example:{fixture.Target.BaseUri.Port}/api/json"));
        Assert.IsType<AddressRefusedException>(ex.InnerException);
    }

    [Fact]
    public async Task ANameResolvingToPublicAndLoopback_ConnectsOnlyToPermittedAddresses()
    {
        // 127.0.0.1 allowed explicitly: the sink answers; without it the same name is refused.
        var port = fixture.Target.BaseUri.Port;
        using (var allowed = ClientResolvingTo(new HttpSkillOptions { AllowedAddresses = ["127.0.0.1"] }, "127.0.0.1"))
        {
            Assert.Equal(HttpStatusCode.OK, (await allowed.GetAsync($"http://sink.example:{port}/api/json")).StatusCode);
        }

        using var refused = ClientResolvingTo(new HttpSkillOptions(), "127.0.0.1", "::1");
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync($"http://sink.example:{port}/api/json"));
        Assert.IsType<AddressRefusedException>(ex.InnerException);
    }

    [Fact]
    public async Task Skill_RefusesLocalhost_ButReachesTheAllowListedLoopbackLiteral()
    {
        var skill = fixture.Skill("http.request");
        var port = fixture.Target.BaseUri.Port;
        var byName = SkillsClusterFixture.Context(new { method = "GET", url = $"http://localhost:{port}/api/json" });
        Assert.Empty(skill.Validate(byName.Input)); // the URL is on the allow-list; its address is not
        var hitsBefore = fixture.Target.HitsOf("/api/json");
        var ex = await Assert.ThrowsAsync<SkillException>(() => skill.ExecuteAsync(byName, default).AsTask());
        Assert.Equal("http.address_refused", ex.Code);
        Assert.False(ex.Transient);

        var byLiteral = SkillsClusterFixture.Context(new { method = "GET", url = new Uri(fixture.Target.BaseUri, "api/json").ToString() });
        var result = await skill.ExecuteAsync(byLiteral, default);
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.Equal(hitsBefore + 1, fixture.Target.HitsOf("/api/json"));
    }

    [Theory]
    [InlineData("api/%2e%2e/admin")]
    [InlineData("api/%2E%2E/admin")]
    [InlineData("api/a%2fb")]
    [InlineData("api/a%2Fb")]
    [InlineData("api/.%2e/x")]
    public void EncodedDotsAndSlashes_InThePath_AreRefused(string path)
    {
        var errors = fixture.Skill("http.request").Validate(JsonSerializer.SerializeToElement(new { method = "GET", url = fixture.Target.BaseUri + path }));
        Assert.Contains(errors, e => e.Contains("percent-encoded", StringComparison.Ordinal));
    }

    [Fact]
    public void EncodedCharacters_InTheQuery_AreFine() =>
        Assert.Empty(fixture.Skill("http.request").Validate(JsonSerializer.SerializeToElement(new { method = "GET", url = fixture.Target.BaseUri + "api/json?next=%2Fa%2E" })));
}
