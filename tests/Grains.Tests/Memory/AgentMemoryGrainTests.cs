using OrleansAgents.Errors;

namespace OrleansAgents.Tests.Memory;

public sealed class AgentMemoryGrainTests(MemoryClusterFixture fixture) : IClassFixture<MemoryClusterFixture>
{
    private static readonly string[] NoTags = [];

    private static string NewId() => $"mem-{Guid.NewGuid():N}"[..16];

    private IAgentMemoryGrain Memory(string agentId) => fixture.Client.GetGrain<IAgentMemoryGrain>(agentId);

    private async Task<string> RegisterAsync()
    {
        var id = NewId();
        await fixture.Client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("Rememberer", null, [], 1, new Dictionary<string, string>()));
        return id;
    }

    private static MemoryWrite Write(string json, TimeSpan? ttl = null, params string[] tags) => new(json, tags, ttl);

    private static async Task<DomainException> RefusedAsync(Func<Task> call, string code)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal(code, ex.Code);
        return ex;
    }

    [Fact]
    public async Task Put_StoresCompactJsonWithSortedTags_AndGetReadsItBack()
    {
        var id = await RegisterAsync();

        var view = await Memory(id).PutAsync("notes/2026:01", Write("{ \"topic\" : \"café\", \"n\": [1, 2] }", null, "b", "a", "b"));

        Assert.Equal("{\"topic\":\"café\",\"n\":[1,2]}", view.ValueJson);
        Assert.Equal(["a", "b"], view.Tags);
        Assert.Equal(1, view.Version);
        Assert.Null(view.ExpiresAt);
        Assert.Equal("notes/2026:01".Length + System.Text.Encoding.UTF8.GetByteCount(view.ValueJson) + 2, view.SizeBytes);
        var read = await Memory(id).GetAsync("notes/2026:01");
        Assert.Equal(view.ValueJson, read!.ValueJson);
        Assert.Equal(view.SizeBytes, (await Memory(id).GetUsageAsync()).Bytes);
    }

    [Fact]
    public async Task Put_Replacement_CountsOnlyTheSizeDifference_AndKeepsCreatedAt()
    {
        var id = await RegisterAsync();
        var first = await Memory(id).PutAsync("k", Write("\"small\""));
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        var second = await Memory(id).PutAsync("k", Write("\"a rather larger value\""));

        var usage = await Memory(id).GetUsageAsync();
        Assert.Equal(1, usage.Entries);
        Assert.Equal(second.SizeBytes, usage.Bytes);
        Assert.Equal(2, second.Version);
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.Equal(first.CreatedAt + TimeSpan.FromSeconds(5), second.UpdatedAt);
    }

    [Fact]
    public async Task Put_RefusesTheEntryOverTheEntryQuota_ButStillReplaces_AndChangesNothing()
    {
        var id = await RegisterAsync();
        for (var i = 0; i < MemoryClusterFixture.MaxEntries; i++)
        {
            await Memory(id).PutAsync($"k{i}", Write("1"));
        }

        var ex = await RefusedAsync(() => Memory(id).PutAsync("one-too-many", Write("1")), ErrorCodes.MemoryQuotaEntries);

        Assert.Equal(DomainErrorKind.Conflict, ex.Kind);
        Assert.Null(await Memory(id).GetAsync("one-too-many"));
        Assert.Equal(MemoryClusterFixture.MaxEntries, (await Memory(id).GetUsageAsync()).Entries);
        Assert.Equal(2, (await Memory(id).PutAsync("k0", Write("2"))).Version);
    }

    [Fact]
    public async Task Put_RefusesWritesOverTheByteQuota_WhetherNewOrReplacing_AndChangesNothing()
    {
        var id = await RegisterAsync();
        var big = $"\"{new string('x', 900)}\"";
        await Memory(id).PutAsync("a", Write(big));
        await Memory(id).PutAsync("b", Write(big));
        var before = await Memory(id).GetUsageAsync();

        var ex = await RefusedAsync(() => Memory(id).PutAsync("c", Write(big)), ErrorCodes.MemoryQuotaBytes);
        Assert.Equal(DomainErrorKind.TooLarge, ex.Kind);
        await Memory(id).PutAsync("small", Write("\"s\""));
        // 'small' now takes the room a grown 'b' would need.
        await RefusedAsync(() => Memory(id).PutAsync("small", Write($"\"{new string('y', 250)}\"")), ErrorCodes.MemoryQuotaBytes);

        Assert.Equal("\"s\"", (await Memory(id).GetAsync("small"))!.ValueJson);
        Assert.Null(await Memory(id).GetAsync("c"));
        Assert.Equal(before.Bytes + (await Memory(id).GetAsync("small"))!.SizeBytes, (await Memory(id).GetUsageAsync()).Bytes);
        Assert.Equal(MemoryClusterFixture.MaxBytes, before.MaxBytes);
    }

    [Fact]
    public async Task Put_RefusesAnEntryOverTheEntrySizeLimit()
    {
        var id = await RegisterAsync();

        var ex = await RefusedAsync(() => Memory(id).PutAsync("huge", Write($"\"{new string('x', MemoryClusterFixture.MaxEntryBytes)}\"")), ErrorCodes.MemoryEntryTooLarge);

        Assert.Equal(DomainErrorKind.TooLarge, ex.Kind);
        Assert.Equal(0, (await Memory(id).GetUsageAsync()).Entries);
    }

    [Theory]
    [InlineData("", "1", null, ErrorCodes.MemoryInvalidKey)]
    [InlineData("/leading", "1", null, ErrorCodes.MemoryInvalidKey)]
    [InlineData("a//b", "1", null, ErrorCodes.MemoryInvalidKey)]
    [InlineData("a/../b", "1", null, ErrorCodes.MemoryInvalidKey)]
    [InlineData("sp ace", "1", null, ErrorCodes.MemoryInvalidKey)]
    [InlineData("k", "{not json", null, ErrorCodes.MemoryInvalidValue)]
    [InlineData("k", "[[[[[[[[[[[1]]]]]]]]]]]", null, ErrorCodes.MemoryInvalidValue)]
    [InlineData("k", "", null, ErrorCodes.MemoryMissingValue)]
    [InlineData("k", "1", "Upper", ErrorCodes.MemoryInvalidTag)]
    public async Task Put_RefusesInvalidWrites_AndStoresNothing(string key, string json, string? tag, string code)
    {
        var id = await RegisterAsync();

        await RefusedAsync(() => Memory(id).PutAsync(key, Write(json, null, tag is null ? NoTags : [tag])), code);

        Assert.Equal(0, (await Memory(id).GetUsageAsync()).Entries);
    }

    [Fact]
    public async Task Put_RefusesTooManyTags_AndTimesToLiveOutsideTheAllowedRange()
    {
        var id = await RegisterAsync();
        var tags = Enumerable.Range(0, MemoryRules.MaxTags + 1).Select(i => $"t{i}").ToArray();

        await RefusedAsync(() => Memory(id).PutAsync("k", Write("1", null, tags)), ErrorCodes.MemoryInvalidTag);
        await RefusedAsync(() => Memory(id).PutAsync("k", Write("1", TimeSpan.Zero)), ErrorCodes.MemoryInvalidTtl);
        await RefusedAsync(() => Memory(id).PutAsync("k", Write("1", TimeSpan.FromSeconds(-5))), ErrorCodes.MemoryInvalidTtl);
        await RefusedAsync(() => Memory(id).PutAsync("k", Write("1", TimeSpan.FromDays(2))), ErrorCodes.MemoryInvalidTtl);
        Assert.Null(await Memory(id).GetAsync("k"));
    }

    [Fact]
    public async Task ExpiredEntries_AreInvisibleAtOnce_AndCostNoQuota()
    {
        var id = await RegisterAsync();
        var expiring = await Memory(id).PutAsync("brief", Write("\"soon gone\"", TimeSpan.FromMinutes(1), "t"));
        await Memory(id).PutAsync("lasting", Write("\"stays\"", null, "t"));
        Assert.Equal(fixture.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), expiring.ExpiresAt);

        fixture.Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.Null(await Memory(id).GetAsync("brief"));
        Assert.Equal(["lasting"], (await Memory(id).ListAsync(new MemoryQuery(null, "t", 10, null))).Items.Select(e => e.Key));
        var usage = await Memory(id).GetUsageAsync();
        Assert.Equal((1, (long)(await Memory(id).GetAsync("lasting"))!.SizeBytes), (usage.Entries, usage.Bytes));
        Assert.False(await Memory(id).DeleteAsync("brief"));
        for (var i = 0; i < MemoryClusterFixture.MaxEntries - 2; i++)
        {
            await Memory(id).PutAsync($"more{i}", Write("1"));
        }

        // The quota is full only if the expired entry is not counted; writing its key again creates a new entry.
        Assert.Equal(1, (await Memory(id).PutAsync("brief", Write("2"))).Version);
        Assert.Equal(MemoryClusterFixture.MaxEntries, (await Memory(id).GetUsageAsync()).Entries);
    }

    [Fact]
    public async Task CleanupReminder_RemovesExpiredEntriesFromStorage_ThenUnregistersItself()
    {
        var id = await RegisterAsync();
        await Memory(id).PutAsync("brief/1", Write("1", TimeSpan.FromMinutes(1)));
        await Memory(id).PutAsync("brief/2", Write("2", TimeSpan.FromMinutes(1)));
        await Memory(id).PutAsync("lasting", Write("3"));
        Assert.True(await fixture.HasCleanupReminderAsync(id));

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));

        // The reminder fires every 2 s of real time; allow many periods before calling it broken.
        await Eventually.HoldsAsync(
            async () => (await fixture.StoredAsync(id)).Entries.Count <= 1 && !await fixture.HasCleanupReminderAsync(id),
            "the cleanup reminder to remove the expired entries");

        var stored = await fixture.StoredAsync(id);
        Assert.Equal(["lasting"], stored.Entries.Keys);
        Assert.Equal(stored.Entries["lasting"].SizeBytes, stored.Bytes);
    }

    [Fact]
    public async Task CleanupReminder_ExistsOnlyWhileEntriesWithATimeToLiveDo()
    {
        var id = await RegisterAsync();
        await Memory(id).PutAsync("plain", Write("1"));
        Assert.False(await fixture.HasCleanupReminderAsync(id));

        await Memory(id).PutAsync("brief", Write("1", TimeSpan.FromHours(1)));
        Assert.True(await fixture.HasCleanupReminderAsync(id));

        // Replacing it without a TTL leaves no entry that expires.
        await Memory(id).PutAsync("brief", Write("2"));
        Assert.False(await fixture.HasCleanupReminderAsync(id));

        await Memory(id).PutAsync("other", Write("1", TimeSpan.FromHours(1)));
        Assert.True(await fixture.HasCleanupReminderAsync(id));
        Assert.True(await Memory(id).DeleteAsync("other"));
        Assert.False(await fixture.HasCleanupReminderAsync(id));
    }

    [Fact]
    public async Task List_FiltersByPrefixAndTag_InKeyOrder_OnePageAtATime()
    {
        var id = await RegisterAsync();
        foreach (var key in new[] { "notes/c", "notes/a", "todo/x", "notes/b", "notes:z" })
        {
            await Memory(id).PutAsync(key, Write("1", null, key.StartsWith("notes/", StringComparison.Ordinal) && key != "notes/b" ? "keep" : "other"));
        }

        var first = await Memory(id).ListAsync(new MemoryQuery("notes/", null, 2, null));
        var second = await Memory(id).ListAsync(new MemoryQuery("notes/", null, 2, first.NextCursor));
        var tagged = await Memory(id).ListAsync(new MemoryQuery(null, "keep", 50, null));
        var all = await Memory(id).ListAsync(new MemoryQuery(null, null, 50, null));
        var afterCursorBeforePrefix = await Memory(id).ListAsync(new MemoryQuery("todo/", null, 50, "notes/a"));

        Assert.Equal(["notes/a", "notes/b"], first.Items.Select(e => e.Key));
        Assert.Equal("notes/b", first.NextCursor);
        Assert.Equal(["notes/c"], second.Items.Select(e => e.Key));
        Assert.Null(second.NextCursor);
        Assert.Equal(["notes/a", "notes/c"], tagged.Items.Select(e => e.Key));
        Assert.Equal(["notes/a", "notes/b", "notes/c", "notes:z", "todo/x"], all.Items.Select(e => e.Key));
        Assert.Equal(["todo/x"], afterCursorBeforePrefix.Items.Select(e => e.Key));
    }

    [Fact]
    public async Task List_RefusesBadLimitsCursorsPrefixesAndTags()
    {
        var id = await RegisterAsync();

        await RefusedAsync(() => Memory(id).ListAsync(new MemoryQuery(null, null, 0, null)).AsTask(), ErrorCodes.InvalidLimit);
        await RefusedAsync(() => Memory(id).ListAsync(new MemoryQuery(null, null, MemoryRules.MaxPageSize + 1, null)).AsTask(), ErrorCodes.InvalidLimit);
        await RefusedAsync(() => Memory(id).ListAsync(new MemoryQuery(null, null, 10, "a//b")).AsTask(), ErrorCodes.InvalidCursor);
        await RefusedAsync(() => Memory(id).ListAsync(new MemoryQuery("sp ace", null, 10, null)).AsTask(), ErrorCodes.MemoryInvalidKey);
        await RefusedAsync(() => Memory(id).ListAsync(new MemoryQuery(null, "Bad Tag", 10, null)).AsTask(), ErrorCodes.MemoryInvalidTag);
    }

    [Fact]
    public async Task UnknownAgent_HasNoMemory()
    {
        var id = NewId();

        await RefusedAsync(() => Memory(id).PutAsync("k", Write("1")), ErrorCodes.AgentNotFound);
        await RefusedAsync(() => Memory(id).GetAsync("k").AsTask(), ErrorCodes.AgentNotFound);
        await RefusedAsync(() => Memory(id).ListAsync(new MemoryQuery(null, null, 10, null)).AsTask(), ErrorCodes.AgentNotFound);
        await RefusedAsync(() => Memory(id).GetUsageAsync().AsTask(), ErrorCodes.AgentNotFound);
        await RefusedAsync(() => Memory(id).DeleteAsync("k"), ErrorCodes.AgentNotFound);
        await RefusedAsync(() => Memory("Not An Id").GetUsageAsync().AsTask(), ErrorCodes.AgentInvalidId);
    }

    [Fact]
    public async Task RetiredAgent_MemoryIsReadable_ButNotWritable()
    {
        var id = await RegisterAsync();
        await Memory(id).PutAsync("k", Write("\"kept\""));
        await fixture.Client.GetGrain<IAgentGrain>(id).RetireAsync();

        var put = await RefusedAsync(() => Memory(id).PutAsync("k", Write("\"changed\"")), ErrorCodes.AgentRetired);
        await RefusedAsync(() => Memory(id).DeleteAsync("k"), ErrorCodes.AgentRetired);

        Assert.Equal(DomainErrorKind.Conflict, put.Kind);
        Assert.Equal("\"kept\"", (await Memory(id).GetAsync("k"))!.ValueJson);
        Assert.Single((await Memory(id).ListAsync(new MemoryQuery(null, null, 10, null))).Items);
    }
}
