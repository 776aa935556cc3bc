using OrleansAgents.Errors;
using OrleansAgents.Grains.Workflows.ReadModel;

namespace OrleansAgents.Tests.Workflows;

/// <summary>
/// What every <see cref="IWorkflowReadModel"/> must do, run against the in-memory and the
/// PostgreSQL implementation (see WorkflowReadModelImplementationTests.cs).
/// </summary>
public abstract partial class WorkflowReadModelContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    protected IWorkflowReadModel Model { get; private set; } = null!;

    /// <summary>A read model with no rows.</summary>
    protected abstract Task<IWorkflowReadModel> CreateEmptyModelAsync();

    public async Task InitializeAsync() => Model = await CreateEmptyModelAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static WorkflowRow Workflow(string id, string name = "Name", string goal = "Goal", WorkflowStatus status = WorkflowStatus.Created,
        string createdBy = "alice", DateTimeOffset? updatedAt = null, long seq = 1, int version = 1) =>
        new(id, name, goal, status, version, createdBy, T0.AddDays(-1), createdBy, updatedAt ?? T0, $$"""{"name":"{{name}}","steps":[]}""", seq);

    protected static WorkflowRunRow Run(string runId, string workflowId, WorkflowRunStatus status, DateTimeOffset startedAt,
        double? seconds = null, WorkflowRunMode mode = WorkflowRunMode.Production, long seq = 1, string? errorCode = null) =>
        new(runId, workflowId, 1, mode, status, "bob", startedAt, seconds is { } s ? startedAt.AddSeconds(s) : null, errorCode, seq);

    protected Task<WorkflowPage> SearchAsync(string? q = null, WorkflowStatus? status = null, string? createdBy = null, int limit = 50, string? cursor = null) =>
        Model.SearchAsync(new WorkflowSearch(status, createdBy, q, limit, cursor));

    protected async Task UpsertAsync(params WorkflowRow[] rows)
    {
        foreach (var row in rows)
        {
            await Model.UpsertWorkflowAsync(row);
        }
    }

    [Fact]
    public async Task UpsertWorkflow_KeepsTheHighestSequence_IgnoringStaleAndEqualWrites()
    {
        await Model.UpsertWorkflowAsync(Workflow("wf-1", "First", seq: 2, version: 2, status: WorkflowStatus.Validated));
        await Model.UpsertWorkflowAsync(Workflow("wf-1", "Stale", seq: 1, version: 1));
        await Model.UpsertWorkflowAsync(Workflow("wf-1", "Same sequence", seq: 2, version: 9));

        var stored = Assert.Single((await SearchAsync()).Items);
        Assert.Equal(("First", 2, WorkflowStatus.Validated), (stored.Name, stored.Version, stored.Status));

        await Model.UpsertWorkflowAsync(Workflow("wf-1", "Renamed", goal: "New goal", seq: 3, version: 3, status: WorkflowStatus.Active, updatedAt: T0.AddHours(1)));
        var renamed = Assert.Single((await SearchAsync()).Items);
        Assert.Equal(("wf-1", "Renamed", "New goal", WorkflowStatus.Active, 3, "alice", T0.AddDays(-1), T0.AddHours(1), (double?)null),
            (renamed.Id, renamed.Name, renamed.Goal, renamed.Status, renamed.Version, renamed.CreatedBy, renamed.CreatedAt, renamed.UpdatedAt, renamed.Rank));
    }

    [Fact]
    public async Task UpsertWorkflow_ConcurrentWritesInAnyOrder_LeaveTheHighestSequence()
    {
        var sequences = Enumerable.Range(1, 30).Select(i => (long)((i * 17) % 30) + 1).ToArray();

        await Task.WhenAll(sequences.Select(seq => Task.Run(() => Model.UpsertWorkflowAsync(Workflow("wf-1", $"v{seq}", seq: seq, version: (int)seq)))));

        var stored = Assert.Single((await SearchAsync()).Items);
        Assert.Equal(("v30", 30), (stored.Name, stored.Version));
    }

    [Fact]
    public async Task DeleteWorkflow_RemovesItsRow_ButKeepsItsRuns()
    {
        await UpsertAsync(Workflow("wf-1"), Workflow("wf-2"));
        await Model.UpsertRunAsync(Run("r-1", "wf-1", WorkflowRunStatus.Running, T0));

        await Model.DeleteWorkflowAsync("wf-1");
        await Model.DeleteWorkflowAsync("wf-unknown");

        Assert.Equal(["wf-2"], (await SearchAsync()).Items.Select(w => w.Id));
        Assert.Equal("r-1", Assert.Single((await Model.ListRunsAsync("wf-1", null, 10, null)).Items).RunId);
        Assert.Equal(1, await Model.CountUnfinishedRunsAsync("wf-1"));
    }

    [Fact]
    public async Task Search_FiltersByStatusAndCreator()
    {
        await UpsertAsync(
            Workflow("wf-1", status: WorkflowStatus.Active, createdBy: "alice"),
            Workflow("wf-2", status: WorkflowStatus.Active, createdBy: "bob"),
            Workflow("wf-3", status: WorkflowStatus.Archived, createdBy: "alice"));

        Assert.Equal(["wf-1", "wf-2"], (await SearchAsync(status: WorkflowStatus.Active)).Items.Select(w => w.Id));
        Assert.Equal(["wf-1", "wf-3"], (await SearchAsync(createdBy: "alice")).Items.Select(w => w.Id));
        Assert.Equal(["wf-3"], (await SearchAsync(status: WorkflowStatus.Archived, createdBy: "alice")).Items.Select(w => w.Id));
        Assert.Empty((await SearchAsync(status: WorkflowStatus.Staged)).Items);
        Assert.Empty((await SearchAsync(createdBy: "Alice")).Items);
    }

    [Fact]
    public async Task Search_WithoutQuery_ListsMostRecentlyUpdatedFirst_ThenById()
    {
        await UpsertAsync(
            Workflow("wf-b", updatedAt: T0),
            Workflow("wf-old", updatedAt: T0.AddHours(-1)),
            Workflow("wf-a", updatedAt: T0),
            Workflow("wf-new", updatedAt: T0.AddHours(1)));

        Assert.Equal(["wf-new", "wf-a", "wf-b", "wf-old"], (await SearchAsync()).Items.Select(w => w.Id));
    }

    [Fact]
    public async Task Search_Query_RanksANameMatchAboveAGoalMatch()
    {
        await UpsertAsync(
            Workflow("wf-goal", "Data copier", "Sync every invoice at night"),
            Workflow("wf-name", "Invoice sync", "Copies data between systems"),
            Workflow("wf-none", "Payroll", "Pays people"));

        var page = await SearchAsync("invoice");

        Assert.Equal(["wf-name", "wf-goal"], page.Items.Select(w => w.Id));
        Assert.All(page.Items, w => Assert.True(w.Rank > 0));
        Assert.True(page.Items[0].Rank > page.Items[1].Rank);
        Assert.Equal(["wf-name"], (await SearchAsync("INVOICE copies")).Items.Select(w => w.Id));
        Assert.Empty((await SearchAsync("invoice", status: WorkflowStatus.Active)).Items);
    }

    [Fact]
    public async Task Search_PagesWithoutRepeatsOrGaps_WhenTimestampsAreEqual()
    {
        await UpsertAsync(
            Workflow("wf-3", updatedAt: T0), Workflow("wf-1", updatedAt: T0), Workflow("wf-2", updatedAt: T0),
            Workflow("wf-5", updatedAt: T0.AddHours(-1)), Workflow("wf-4", updatedAt: T0.AddHours(-1)),
            Workflow("wf-7", updatedAt: T0.AddHours(1)), Workflow("wf-6", updatedAt: T0.AddHours(1)),
            Workflow("wf-x", updatedAt: T0, status: WorkflowStatus.Archived));

        var (ids, pages) = await CollectAsync(cursor => SearchAsync(status: WorkflowStatus.Created, limit: 2, cursor: cursor));

        Assert.Equal(["wf-6", "wf-7", "wf-1", "wf-2", "wf-3", "wf-4", "wf-5"], ids);
        Assert.Equal(4, pages);
    }

    [Fact]
    public async Task Search_Query_PagesWithoutRepeatsOrGaps_WhenRanksAreEqual()
    {
        await UpsertAsync(
            Workflow("wf-c", "Report c"), Workflow("wf-a", "Report a"), Workflow("wf-d", "Report d"),
            Workflow("wf-top", "Report report"), Workflow("wf-b", "Report b"), Workflow("wf-other", "Other"));

        var (ids, pages) = await CollectAsync(cursor => SearchAsync("report", limit: 2, cursor: cursor));

        Assert.Equal(["wf-top", "wf-a", "wf-b", "wf-c", "wf-d"], ids);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Search_ExactlyOnePageOfRows_HasNoNextCursor()
    {
        await UpsertAsync(Workflow("wf-1"), Workflow("wf-2"));

        Assert.Null((await SearchAsync(limit: 2)).NextCursor);
        Assert.NotNull((await SearchAsync(limit: 1)).NextCursor);
    }

    public static TheoryData<string> MalformedCursors => new()
    {
        "not a cursor!",
        "",
        Base64Url("u:12:"),
        Base64Url("u:-5:wf-1"),
        Base64Url("u:99999999999999999999:wf-1"),
        Base64Url("x:1:wf-1"),
        Base64Url("s:1:r-1"),
        Base64Url("r:0.5:wf-1"),
    };

    [Theory]
    [MemberData(nameof(MalformedCursors))]
    public async Task Search_MalformedCursor_IsAnInvalidQuery(string cursor)
    {
        await UpsertAsync(Workflow("wf-1"));

        var ex = await Assert.ThrowsAsync<DomainException>(() => SearchAsync(cursor: cursor));

        Assert.Equal((ErrorCodes.InvalidQuery, DomainErrorKind.Invalid), (ex.Code, ex.Kind));
    }

    [Fact]
    public async Task Search_CursorOfAnotherOrdering_IsAnInvalidQuery()
    {
        await UpsertAsync(Workflow("wf-1", "Report"), Workflow("wf-2", "Report"));
        var listed = (await SearchAsync(limit: 1)).NextCursor!;
        var ranked = (await SearchAsync("report", limit: 1)).NextCursor!;

        Assert.Equal(ErrorCodes.InvalidQuery, (await Assert.ThrowsAsync<DomainException>(() => SearchAsync("report", cursor: listed))).Code);
        Assert.Equal(ErrorCodes.InvalidQuery, (await Assert.ThrowsAsync<DomainException>(() => SearchAsync(cursor: ranked))).Code);
        Assert.Equal(ErrorCodes.InvalidQuery, (await Assert.ThrowsAsync<DomainException>(() => Model.ListRunsAsync("wf-1", null, 10, listed))).Code);
    }

    protected static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));

    private static async Task<(List<string> Ids, int Pages)> CollectAsync(Func<string?, Task<WorkflowPage>> fetch)
    {
        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await fetch(cursor);
            ids.AddRange(page.Items.Select(w => w.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 20);

        return (ids, pages);
    }
}
