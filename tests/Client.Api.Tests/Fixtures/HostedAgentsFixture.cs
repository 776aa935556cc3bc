using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansAgents.Tests;

/// <summary>
/// The API in embedded mode with one LLM provider, <c>scripted</c>, pointing at a
/// <see cref="ScriptedLlmServer"/> on 127.0.0.1: hosted agents run the real ChatClientAgent over the
/// real OpenAI client against it.
/// </summary>
public sealed class HostedAgentsFixture : IAsyncLifetime
{
    public const string Provider = "scripted";

    /// <summary>The same server under a second name, so a test may open this provider's breaker without touching the others' turns.</summary>
    public const string SecondProvider = "scripted-b";

    public ScriptedLlmServer Llm { get; private set; } = null!;

    public HostedAgentsFactory Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Llm = await ScriptedLlmServer.StartAsync();
        Api = new HostedAgentsFactory(Llm.Endpoint);
        _ = Api.Server; // start now, not inside the first test's timing
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

/// <param name="llmEndpoint">The scripted provider's endpoint.</param>
/// <param name="settings">Further configuration (e.g. Mcp:Servers for the MCP tool tests).</param>
public sealed class HostedAgentsFactory(string llmEndpoint, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-hosted-0123456789abcdef-01";

    public int ManagementPort { get; } = ApiFactory.FreePort();

    /// <summary>A client on the management port, where /metrics answers.</summary>
    public HttpClient ManagementClient() => ApiFactory.OnLocalPort(this, ManagementPort);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ApiFactory.UseTestHost(builder, "hosted-tests-", ManagementPort, SigningKey, "test-admin-password-1");
        builder.UseSetting($"Skills:Llm:Providers:{HostedAgentsFixture.Provider}:Endpoint", llmEndpoint);
        builder.UseSetting($"Skills:Llm:Providers:{HostedAgentsFixture.Provider}:Model", "plain");
        builder.UseSetting($"Skills:Llm:Providers:{HostedAgentsFixture.Provider}:RequestsPerMinute", "100000");
        builder.UseSetting($"Skills:Llm:Providers:{HostedAgentsFixture.Provider}:TimeoutSeconds", "30");
        builder.UseSetting($"Skills:Llm:Providers:{HostedAgentsFixture.SecondProvider}:Endpoint", llmEndpoint);
        builder.UseSetting($"Skills:Llm:Providers:{HostedAgentsFixture.SecondProvider}:Model", "plain");
        builder.UseSetting("Skills:Llm:Prices:0:Provider", HostedAgentsFixture.Provider);
        builder.UseSetting("Skills:Llm:Prices:0:Model", "*");
        builder.UseSetting("Skills:Llm:Prices:0:InputPerMillion", "1");
        builder.UseSetting("Skills:Llm:Prices:0:OutputPerMillion", "2");
        // A tier whose daily USD budget is less than one scripted turn (UsageTests).
        builder.UseSetting("RateLimiting:Tiers:test-pennies:PerMinute", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-pennies:PerHour", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-pennies:PerDay", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-pennies:AiTokensPerDay", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-pennies:UsdPerDay", "0.00001");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client acting as a user with these roles (tokens signed by the API's own issuer).</summary>
    public HttpClient ClientFor(string subject, params string[] roles)
    {
        var client = CreateClient();
        var token = Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>().Issue(subject, roles, "user", null).Token;
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}
