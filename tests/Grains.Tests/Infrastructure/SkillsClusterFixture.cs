using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Skills;

/// <summary>
/// Two silos configured against two real fake servers: <see cref="Target"/> (HTTP target and LLM
/// providers fake, limited, flaky) and <see cref="Flaky"/> (an HTTP host whose breaker trips
/// after 4 calls). Every other breaker needs 1000 calls, so failure tests never trip them.
/// </summary>
public sealed class SkillsClusterFixture : RegistryClusterFixture, IAsyncLifetime
{
    public const int LimitedRequestsPerMinute = 2;

    public FakeServer Target { get; private set; } = null!;

    public FakeServer Flaky { get; private set; } = null!;

    public IServiceProvider Silo => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress);

    public ClusterCircuitBreakers Breakers => Silo.GetRequiredService<ClusterCircuitBreakers>();

    public SkillMetrics Metrics => Silo.GetRequiredService<SkillMetrics>();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Skills:Http:AllowedUrls:0"] = new Uri(Target.BaseUri, "api/").ToString(),
        ["Skills:Http:AllowedUrls:1"] = Flaky.BaseUri.ToString(),
        // The same target by name: allowed as a URL, but the name resolves to loopback, which only an IP literal allows.
        ["Skills:Http:AllowedUrls:2"] = $"http://localhost:{Target.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/api/",
        ["Skills:Http:Secrets:echo-token"] = "Bearer s3cret",
        ["Skills:Llm:DefaultProvider"] = "fake",
        ["Skills:Llm:Providers:fake:Endpoint"] = new Uri(Target.BaseUri, "fake/v1").ToString(),
        ["Skills:Llm:Providers:fake:Model"] = "test-model",
        ["Skills:Llm:Providers:fake:ApiKey"] = "sk-test-secret",
        ["Skills:Llm:Providers:fake:RequestsPerMinute"] = "1000",
        ["Skills:Llm:Providers:fake:TimeoutSeconds"] = "2",
        ["Skills:Llm:Providers:limited:Endpoint"] = new Uri(Target.BaseUri, "limited/v1").ToString(),
        ["Skills:Llm:Providers:limited:Model"] = "test-model",
        ["Skills:Llm:Providers:limited:RequestsPerMinute"] = LimitedRequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Skills:Llm:Providers:flaky:Endpoint"] = new Uri(Target.BaseUri, "flaky/v1").ToString(),
        ["Skills:Llm:Providers:flaky:Model"] = "fail-500",
        ["Skills:Llm:Providers:flaky:RequestsPerMinute"] = "1000",
        ["CircuitBreakers:Defaults:MinimumThroughput"] = "1000",
        ["CircuitBreakers:Overrides:0:Name"] = "llm:flaky",
        ["CircuitBreakers:Overrides:0:MinimumThroughput"] = "4",
        ["CircuitBreakers:Overrides:1:Name"] = "http:" + Flaky.HostLabel,
        ["CircuitBreakers:Overrides:1:MinimumThroughput"] = "4",
    };

    public ISkill Skill(string name) =>
        Silo.GetRequiredService<SkillRegistry>().TryGet(name, out var skill) ? skill : throw new InvalidOperationException($"no skill {name}");

    public static SkillContext Context(object input, string user = "skills-user") =>
        new("task-" + Guid.NewGuid().ToString("N")[..8], "agent-1", 1, null, user, JsonSerializer.SerializeToElement(input), new InMemoryAgentMemory());

    async Task IAsyncLifetime.InitializeAsync()
    {
        Target = await FakeServer.StartAsync();
        Flaky = await FakeServer.StartAsync();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Target.DisposeAsync();
        await Flaky.DisposeAsync();
    }

    public static Task WaitForAsync(Func<bool> condition, string what) => Eventually.HoldsAsync(condition, what);
}

public sealed class InMemoryAgentMemory : IAgentMemory
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);

    public ValueTask<JsonElement?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_values.TryGetValue(key, out var value) ? value : (JsonElement?)null);

    public ValueTask SetAsync(string key, JsonElement value, IReadOnlyList<string>? tags = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        _values[key] = value;
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => ValueTask.FromResult(_values.Remove(key));
}
