using OrleansAgents.Errors;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests;

public sealed class AgentRegistryTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private static string NewId(string prefix = "agent") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static AgentSpec Spec(string name = "Researcher", int max = 2, params string[] capabilities) =>
        new(name, "finds things", capabilities, max, new Dictionary<string, string> { ["team"] = "core" });

    private IAgentGrain Agent(string id) => fixture.Client.GetGrain<IAgentGrain>(id);

    [Fact]
    public async Task Register_ReturnsIdleAgentWithNormalizedSpec_WhenNew()
    {
        var id = NewId();
        var view = await Agent(id).RegisterAsync(new AgentSpec("  Researcher ", null, ["search", "llm.chat", "search"], 3, new Dictionary<string, string>()));

        Assert.Equal(id, view.Id);
        Assert.Equal("Researcher", view.Name);
        Assert.Equal(["llm.chat", "search"], view.Capabilities);
        Assert.Equal(AgentStatus.Idle, view.Status);
        Assert.Equal(1, view.Version);
        var read = await Agent(id).GetAsync();
        Assert.NotNull(read);
        Assert.Equal((view.Id, view.Name, view.Version, view.RegisteredAt), (read.Id, read.Name, read.Version, read.RegisteredAt));
        Assert.Equal(view.Capabilities, read.Capabilities);
    }

    [Fact]
    public async Task Register_ThrowsAgentExists_WhenAlreadyRegistered()
    {
        var id = NewId();
        await Agent(id).RegisterAsync(Spec());

        var ex = await Assert.ThrowsAsync<DomainException>(() => Agent(id).RegisterAsync(Spec("Other")));

        Assert.Equal(ErrorCodes.AgentExists, ex.Code);
        Assert.Equal(DomainErrorKind.Conflict, ex.Kind);
        Assert.Equal("Researcher", (await Agent(id).GetAsync())!.Name);
    }

    [Theory]
    [InlineData("", 1, ErrorCodes.AgentInvalidName)]
    [InlineData("ok", 0, ErrorCodes.AgentInvalidMaxConcurrentTasks)]
    [InlineData("ok", 5000, ErrorCodes.AgentInvalidMaxConcurrentTasks)]
    public async Task Register_RejectsInvalidSpec_AndStoresNothing(string name, int max, string code)
    {
        var id = NewId();
        var ex = await Assert.ThrowsAsync<DomainException>(() => Agent(id).RegisterAsync(Spec(name, max)));

        Assert.Equal(code, ex.Code);
        Assert.Null(await Agent(id).GetAsync());
    }

    [Fact]
    public async Task Register_RejectsBadCapabilitiesAndMetadata()
    {
        var tooMany = Enumerable.Range(0, AgentRules.MaxCapabilities + 1).Select(i => $"c{i}").ToArray();
        Assert.Equal(ErrorCodes.AgentTooManyCapabilities,
            (await Assert.ThrowsAsync<DomainException>(() => Agent(NewId()).RegisterAsync(Spec(capabilities: tooMany)))).Code);
        Assert.Equal(ErrorCodes.AgentInvalidCapability,
            (await Assert.ThrowsAsync<DomainException>(() => Agent(NewId()).RegisterAsync(Spec(capabilities: "Bad Cap")))).Code);

        var metadata = Enumerable.Range(0, AgentRules.MaxMetadataEntries + 1).ToDictionary(i => $"k{i}", i => "v");
        Assert.Equal(ErrorCodes.AgentInvalidMetadata,
            (await Assert.ThrowsAsync<DomainException>(() => Agent(NewId()).RegisterAsync(new AgentSpec("n", null, [], 1, metadata)))).Code);
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData("trailing-newline\n")]
    public async Task Register_RejectsInvalidId(string id)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Agent(id).RegisterAsync(Spec()));
        Assert.Equal(ErrorCodes.AgentInvalidId, ex.Code);
    }

    [Fact]
    public async Task Update_MovesAgentBetweenCapabilityIndexes()
    {
        var id = NewId();
        var oldCap = NewId("cap");
        var newCap = NewId("cap");
        await Agent(id).RegisterAsync(Spec(capabilities: oldCap));

        var updated = await Agent(id).UpdateAsync(Spec("Renamed", 4, newCap));

        Assert.Equal(2, updated.Version);
        Assert.Equal("Renamed", updated.Name);
        Assert.Empty((await fixture.Client.GetGrain<ICapabilityIndexGrain>(oldCap).ListAsync(null, 10)).Ids);
        Assert.Equal([id], (await fixture.Client.GetGrain<ICapabilityIndexGrain>(newCap).ListAsync(null, 10)).Ids);
    }

    [Fact]
    public async Task Update_ThrowsNotFound_WhenNeverRegistered()
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Agent(NewId()).UpdateAsync(Spec()));
        Assert.Equal(ErrorCodes.AgentNotFound, ex.Code);
        Assert.Equal(DomainErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task Heartbeat_MarksBusyAtCapacity_AndUnhealthyWhenStale()
    {
        var id = NewId();
        await Agent(id).RegisterAsync(Spec(max: 2) with { Kind = AgentKind.External });

        Assert.Equal(AgentStatus.Busy, (await Agent(id).HeartbeatAsync(new AgentHeartbeat(2))).Status);
        Assert.Equal(AgentStatus.Idle, (await Agent(id).HeartbeatAsync(new AgentHeartbeat(1))).Status);

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(AgentStatus.Unhealthy, (await Agent(id).GetAsync())!.Status);

        var revived = await Agent(id).HeartbeatAsync(new AgentHeartbeat(0));
        Assert.Equal(AgentStatus.Idle, revived.Status);
        Assert.Equal(fixture.Clock.GetUtcNow(), revived.LastHeartbeatAt);
    }

    [Fact]
    public async Task Heartbeat_RejectsNegativeLoad()
    {
        var id = NewId();
        await Agent(id).RegisterAsync(Spec());
        var ex = await Assert.ThrowsAsync<DomainException>(() => Agent(id).HeartbeatAsync(new AgentHeartbeat(-1)));
        Assert.Equal(ErrorCodes.AgentInvalidActiveTasks, ex.Code);
    }

    [Fact]
    public async Task Retire_RemovesFromCapabilityIndex_IsIdempotent_AndBlocksChanges()
    {
        var id = NewId();
        var cap = NewId("cap");
        await Agent(id).RegisterAsync(Spec(capabilities: cap));

        var retired = await Agent(id).RetireAsync();
        var again = await Agent(id).RetireAsync();

        Assert.Equal(AgentStatus.Retired, retired.Status);
        Assert.Equal(retired.RetiredAt, again.RetiredAt);
        Assert.Empty((await fixture.Client.GetGrain<ICapabilityIndexGrain>(cap).ListAsync(null, 10)).Ids);
        Assert.Equal(ErrorCodes.AgentRetired, (await Assert.ThrowsAsync<DomainException>(() => Agent(id).HeartbeatAsync(new AgentHeartbeat(0)))).Code);
        Assert.Equal(ErrorCodes.AgentRetired, (await Assert.ThrowsAsync<DomainException>(() => Agent(id).UpdateAsync(Spec()))).Code);
        Assert.Equal(ErrorCodes.AgentExists, (await Assert.ThrowsAsync<DomainException>(() => Agent(id).RegisterAsync(Spec()))).Code);
    }

    [Fact]
    public async Task List_PagesThroughCapabilityInIdOrder_WithoutGapsOrRepeats()
    {
        var cap = NewId("cap");
        var ids = Enumerable.Range(0, 7).Select(i => $"page-{cap[4..]}-{i}").ToList();
        await Task.WhenAll(ids.Select(id => Agent(id).RegisterAsync(Spec(capabilities: cap))));

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await fixture.Client.GetGrain<IAgentCatalogGrain>(0).ListAsync(new AgentQuery(cap, null, 3, after));
            seen.AddRange(page.Items.Select(v => v.Id));
            after = page.NextCursor;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task CapabilityIndex_KeepsEveryIdOfAConcurrentBurst_WithInterleavedRemoves()
    {
        // The index grain is reentrant with group commit: adds and removes that overlap a write
        // share the next one, and each call returns only after a write that includes it.
        var index = fixture.Client.GetGrain<ICapabilityIndexGrain>(NewId("burst"));
        var ids = Enumerable.Range(0, 300).Select(i => $"b-{i:D3}").ToList();
        var removed = ids.Where((_, i) => i % 3 == 0).ToHashSet();

        await Task.WhenAll(ids.Select(async id =>
        {
            await index.AddAsync(id);
            if (removed.Contains(id))
            {
                await index.RemoveAsync(id);
            }
        }));

        var page = await index.ListAsync(null, 1000);
        Assert.Equal(ids.Where(id => !removed.Contains(id)).Order(StringComparer.Ordinal), page.Ids);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task List_FiltersByStatus_AcrossAllShards()
    {
        var prefix = NewId("flt");
        var busy = $"{prefix}-busy";
        var idle = $"{prefix}-idle";
        var gone = $"{prefix}-gone";
        foreach (var id in new[] { busy, idle, gone })
        {
            await Agent(id).RegisterAsync(Spec(max: 1));
        }

        await Agent(busy).HeartbeatAsync(new AgentHeartbeat(1));
        await Agent(gone).RetireAsync();

        var retired = await ListAllAsync(AgentStatus.Retired);
        var busyList = await ListAllAsync(AgentStatus.Busy);

        Assert.Contains(gone, retired);
        Assert.DoesNotContain(idle, retired);
        Assert.Contains(busy, busyList);
        Assert.DoesNotContain(idle, busyList);
    }

    [Fact]
    public async Task CountByStatus_CountsEveryRegisteredAgent()
    {
        var before = await fixture.Client.GetGrain<IAgentCatalogGrain>(0).CountByStatusAsync();
        var id = NewId();
        await Agent(id).RegisterAsync(Spec());
        await Agent(id).RetireAsync();

        var after = await fixture.Client.GetGrain<IAgentCatalogGrain>(0).CountByStatusAsync();

        Assert.Equal(before.Retired + 1, after.Retired);
    }

    private async Task<List<string>> ListAllAsync(AgentStatus status)
    {
        var all = new List<string>();
        string? after = null;
        do
        {
            var page = await fixture.Client.GetGrain<IAgentCatalogGrain>(0).ListAsync(new AgentQuery(null, status, AgentRules.MaxPageSize, after));
            all.AddRange(page.Items.Select(v => v.Id));
            after = page.NextCursor;
        }
        while (after is not null);
        return all;
    }
}
