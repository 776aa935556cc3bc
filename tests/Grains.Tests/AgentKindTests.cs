using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Agents;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests;

/// <summary>
/// Hosted agents (the default) are live while the cluster is; only external agents need heartbeats.
/// A newcomer following the README registered an agent and saw it turn unhealthy 60 s later.
/// </summary>
public sealed class AgentKindTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private static string NewId() => "kind-" + Guid.NewGuid().ToString("N")[..12];

    private static AgentSpec Spec(AgentKind kind, params string[] capabilities) =>
        new("worker", null, capabilities.Length == 0 ? ["work"] : capabilities, 2, new Dictionary<string, string>(), kind);

    private IAgentGrain Agent(string id) => fixture.Client.GetGrain<IAgentGrain>(id);

    [Fact]
    public async Task HostedAgent_StaysIdle_AndRoutable_WithoutHeartbeats()
    {
        var capability = "hosted-" + Guid.NewGuid().ToString("N")[..8];
        var id = NewId();
        var registered = await Agent(id).RegisterAsync(Spec(AgentKind.Hosted, capability));
        Assert.Equal(AgentKind.Hosted, registered.Kind);

        fixture.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(AgentStatus.Idle, (await Agent(id).GetAsync())!.Status);
        Assert.False(await Agent(id).MarkUnhealthyIfStaleAsync(fixture.Clock.GetUtcNow()), "the health sweep leaves hosted agents alone");
        Assert.True((await Agent(id).GetLoadAsync()).Healthy);
        var routed = await fixture.Client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(
            new TaskSubmission(null, capability, "echo", "{}", TaskPriority.Default, null, null, null, null, "tester"));
        Assert.Equal(id, routed.Task.AgentId);
    }

    [Fact]
    public async Task ExternalAgent_TurnsUnhealthy_WhenItsHeartbeatIsStale()
    {
        var id = NewId();
        Assert.Equal(AgentKind.External, (await Agent(id).RegisterAsync(Spec(AgentKind.External))).Kind);

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(AgentStatus.Unhealthy, (await Agent(id).GetAsync())!.Status);
        Assert.False((await Agent(id).GetLoadAsync()).Healthy);
        Assert.True(await Agent(id).MarkUnhealthyIfStaleAsync(fixture.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task SwitchingToExternal_StartsTheHeartbeatClockAtTheSwitch()
    {
        var id = NewId();
        await Agent(id).RegisterAsync(Spec(AgentKind.Hosted));
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));

        var switched = await Agent(id).UpdateAsync(Spec(AgentKind.External));

        Assert.Equal(AgentStatus.Idle, switched.Status);
        Assert.Equal(fixture.Clock.GetUtcNow(), switched.LastHeartbeatAt);
        Assert.Equal(AgentKind.Hosted, (await Agent(id).UpdateAsync(Spec(AgentKind.Hosted))).Kind);
    }

    [Fact]
    public async Task Register_RefusesAnUnknownKind_AndStoresNothing()
    {
        var id = NewId();
        var ex = await Assert.ThrowsAsync<DomainException>(() => Agent(id).RegisterAsync(Spec((AgentKind)7)));

        Assert.Equal(ErrorCodes.AgentInvalidKind, ex.Code);
        Assert.Contains("hosted, external", ex.Message, StringComparison.Ordinal);
        Assert.Null(await Agent(id).GetAsync());
    }

    [Fact]
    public void StoredRegistrations_FromBeforeKinds_ReadAsHosted()
    {
        // A row written by the previous layout (fields 0-13, no kind) must read back as a hosted agent.
        var serializer = fixture.Client.ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>();
        var legacy = new LegacyAgentStateV1
        {
            Registered = true, Name = "old", Capabilities = ["work"], MaxConcurrentTasks = 3,
            LastHeartbeatAt = DateTimeOffset.UnixEpoch, Version = 4, IndexedVersion = 4,
            MarkedUnhealthyAt = DateTimeOffset.UnixEpoch,
        };

        var read = serializer.Deserialize<AgentState>(serializer.SerializeToArray(legacy))!;

        Assert.Equal(("old", 3, 4L), (read.Name, read.MaxConcurrentTasks, read.Version));
        Assert.Equal(AgentKind.Hosted, read.Kind);
        Assert.False(read.NeedsHeartbeat);
    }
}

/// <summary>AgentState as it was stored before kinds (same field ids), to prove old rows still read.</summary>
[GenerateSerializer, Alias("OrleansAgents.Tests.LegacyAgentStateV1")]
public sealed class LegacyAgentStateV1
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public List<string> Capabilities { get; set; } = [];
    [Id(4)] public int MaxConcurrentTasks { get; set; }
    [Id(5)] public Dictionary<string, string> Metadata { get; set; } = [];
    [Id(6)] public int ActiveTasks { get; set; }
    [Id(7)] public DateTimeOffset RegisteredAt { get; set; }
    [Id(8)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(9)] public DateTimeOffset LastHeartbeatAt { get; set; }
    [Id(10)] public DateTimeOffset? RetiredAt { get; set; }
    [Id(11)] public long Version { get; set; }
    [Id(12)] public long IndexedVersion { get; set; }
    [Id(13)] public DateTimeOffset? MarkedUnhealthyAt { get; set; }
}
