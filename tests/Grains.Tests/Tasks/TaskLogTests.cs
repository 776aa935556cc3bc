using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Silo.Storage;
using OrleansAgents.Tasks;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>What every <see cref="ITaskLog"/> must do, run against the in-memory and the PostgreSQL one.</summary>
public abstract class TaskLogContractTests : IAsyncLifetime
{
    protected const int Retention = 3;
    protected static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    protected ITaskLog Log { get; private set; } = null!;

    /// <summary>An empty log keeping <see cref="Retention"/> finished tasks per agent.</summary>
    protected abstract Task<ITaskLog> CreateEmptyLogAsync();

    /// <summary>Whatever the implementation does to apply the retention (PostgreSQL trims in the background).</summary>
    protected virtual Task TrimAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Log = await CreateEmptyLogAsync();

    public virtual async Task DisposeAsync()
    {
        if (Log is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>A valid task id (t_ and 26 base32 letters) unique per number.</summary>
    protected static string TaskId(int n)
    {
        var letters = new char[26];
        for (var i = 25; i >= 0; i--)
        {
            letters[i] = (char)('a' + (n % 26));
            n /= 26;
        }

        return "t_" + new string(letters);
    }

    protected static TaskSummary Summary(int n, string agent = "agent-1", TaskState state = TaskState.Queued, long version = 1,
        DateTimeOffset? created = null, DateTimeOffset? updated = null, TaskError? error = null, string? by = "alice") =>
        new(TaskId(n), agent, "echo", TaskPriority.Default, state, state == TaskState.Queued ? 0 : 1,
            created ?? T0.AddSeconds(n), updated ?? T0.AddSeconds(n), error, version) { SubmittedBy = by };

    private async Task<List<TaskSummary>> AllAsync(string agent = "agent-1", TaskState? state = null, int limit = 2)
    {
        var all = new List<TaskSummary>();
        string? cursor = null;
        do
        {
            var page = await Log.ListAsync(agent, state, limit, cursor);
            Assert.True(page.Items.Count <= limit);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task Upsert_RoundTripsEveryField()
    {
        var failed = new TaskSummary(TaskId(1), "agent-1", "summarise", TaskPriority.High, TaskState.Failed, 3,
            T0.AddTicks(10), T0.AddMinutes(1), new TaskError("skill.failed", "it broke", Transient: true), 7) { SubmittedBy = "bob" };
        var queued = Summary(2, by: null) with { Priority = TaskPriority.Low };
        await Log.UpsertAsync(failed);
        await Log.UpsertAsync(queued);

        var page = await Log.ListAsync("agent-1", null, 10, null);

        Assert.Equal([queued, failed], page.Items);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Upsert_OnlyAHigherVersionReplacesTheRow()
    {
        await Log.UpsertAsync(Summary(1, state: TaskState.Running, version: 5));
        await Log.UpsertAsync(Summary(1, state: TaskState.Queued, version: 4));
        await Log.UpsertAsync(Summary(1, state: TaskState.Failed, version: 5));
        Assert.Equal(TaskState.Running, Assert.Single(await AllAsync()).State);

        await Log.UpsertAsync(Summary(1, state: TaskState.Succeeded, version: 6));
        var row = Assert.Single(await AllAsync());
        Assert.Equal((TaskState.Succeeded, 6L), (row.State, row.Version));
    }

    [Fact]
    public async Task List_NewestCreatedFirst_ThenId_PagesCoverEveryTaskOnce_AndFilterByState()
    {
        // Tasks 1 and 2 share a creation time: the id breaks the tie.
        await Task.WhenAll(
            Log.UpsertAsync(Summary(1, created: T0)),
            Log.UpsertAsync(Summary(2, created: T0, state: TaskState.Succeeded)),
            Log.UpsertAsync(Summary(3, state: TaskState.Running)),
            Log.UpsertAsync(Summary(4, state: TaskState.Succeeded)),
            Log.UpsertAsync(Summary(5)),
            Log.UpsertAsync(Summary(6, agent: "agent-2")));

        Assert.Equal([TaskId(5), TaskId(4), TaskId(3), TaskId(1), TaskId(2)], (await AllAsync()).Select(t => t.Id));
        Assert.Equal([TaskId(4), TaskId(2)], (await AllAsync(state: TaskState.Succeeded, limit: 1)).Select(t => t.Id));
        Assert.Equal([TaskId(6)], (await AllAsync("agent-2")).Select(t => t.Id));
        Assert.Empty(await AllAsync("agent-unknown"));
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("123~not-an-id")]
    [InlineData("-1~t_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("99999999999999999999~t_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task List_MalformedCursor_IsAnInvalidCursorError(string cursor)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Log.ListAsync("agent-1", null, 10, cursor));
        Assert.Equal(ErrorCodes.InvalidCursor, ex.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(TaskRules.MaxPageSize + 1)]
    public async Task List_LimitOutOfRange_IsAnInvalidLimitError(int limit)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Log.ListAsync("agent-1", null, limit, null));
        Assert.Equal(ErrorCodes.InvalidLimit, ex.Code);
    }

    [Fact]
    public async Task Retention_KeepsEveryUnfinishedTask_AndTheLatestUpdatedFinishedOnes()
    {
        // Finished tasks 1..5, updated in reverse order of creation; 6 and 7 still queued.
        for (var n = 1; n <= 5; n++)
        {
            await Log.UpsertAsync(Summary(n, state: TaskState.Succeeded, updated: T0.AddMinutes(10 - n)));
        }

        await Log.UpsertAsync(Summary(6));
        await Log.UpsertAsync(Summary(7, state: TaskState.Running));
        await Log.UpsertAsync(Summary(8, agent: "agent-2", state: TaskState.Failed));
        await TrimAsync();

        Assert.Equal([TaskId(7), TaskId(6), TaskId(3), TaskId(2), TaskId(1)], (await AllAsync()).Select(t => t.Id));
        Assert.Single(await AllAsync("agent-2"));
    }

    [Fact]
    public async Task ConcurrentUpserts_EndAtEachTasksHighestVersion()
    {
        var writes = Enumerable.Range(1, 150)
            .SelectMany(n => Enumerable.Range(1, 3).Select(v => Summary(n, state: v == 3 ? TaskState.Running : TaskState.Queued, version: v)))
            .OrderBy(_ => Random.Shared.Next())
            .Select(s => Task.Run(() => Log.UpsertAsync(s)));
        await Task.WhenAll(writes);

        var all = await Log.ListAsync("agent-1", null, TaskRules.MaxPageSize, null);
        Assert.Equal(150, all.Items.Count);
        Assert.All(all.Items, t => Assert.Equal((3L, TaskState.Running), (t.Version, t.State)));
    }
}

public sealed class InMemoryTaskLogTests : TaskLogContractTests
{
    protected override Task<ITaskLog> CreateEmptyLogAsync() =>
        Task.FromResult<ITaskLog>(new InMemoryTaskLog(Options.Create(new TaskOptions { LogRetention = Retention })));
}

public sealed class PostgresTaskLogTests(MigratedDatabase database) : TaskLogContractTests, IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly TaskMetrics _metrics = new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
    private PostgresTaskLog _log = null!;

    protected override async Task<ITaskLog> CreateEmptyLogAsync()
    {
        await using var truncate = database.DataSource.CreateCommand("TRUNCATE agents_task_log");
        await truncate.ExecuteNonQueryAsync();
        return _log = new PostgresTaskLog(database.DataSource, Options.Create(new TaskOptions { LogRetention = Retention }), _metrics, NullLogger<PostgresTaskLog>.Instance);
    }

    protected override Task TrimAsync() => _log.TrimAsync();

    /// <summary>The log itself is disposed by <see cref="TaskLogContractTests.DisposeAsync"/>.</summary>
    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task Upsert_StoresAnErrorMessageWithNul_InsteadOfFailingTheBatch()
    {
        await Log.UpsertAsync(Summary(1, state: TaskState.Failed, error: new TaskError("skill.failed", "bad\0byte", Transient: false)));

        Assert.Equal("bad\uFFFDbyte", Assert.Single((await Log.ListAsync("agent-1", null, 10, null)).Items).Error!.Message);
    }

    [Fact]
    public async Task Upserts_FromManyCallers_ShareStatements()
    {
        var before = _metrics.LogTotals();
        await Task.WhenAll(Enumerable.Range(1, 400).Select(n => Task.Run(() => Log.UpsertAsync(Summary(n)))));

        var (rows, writes) = _metrics.LogTotals();
        Assert.Equal(400, rows - before.Rows);
        // 400 callers at once on two cores: the writer finds many queued behind each statement.
        Assert.InRange(writes - before.Writes, 1, 200);
        await using var count = database.DataSource.CreateCommand("SELECT count(*) FROM agents_task_log");
        Assert.Equal(400L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Dispose_StoresWhatWasQueued_ThenRefusesWrites()
    {
        var writes = Enumerable.Range(1, 50).Select(n => Log.UpsertAsync(Summary(n))).ToList();
        await _log.DisposeAsync();

        await Task.WhenAll(writes);
        await using var count = database.DataSource.CreateCommand("SELECT count(*) FROM agents_task_log");
        Assert.Equal(50L, await count.ExecuteScalarAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _log.UpsertAsync(Summary(51)));
    }
}
