namespace OrleansAgents.Grains.Workflows.ReadModel;

/// <summary>
/// The read model in process memory: embedded mode and test clusters. Same ordering, cursors,
/// sequence guard and statistics as the PostgreSQL read model; search is plain word matching
/// (<see cref="InMemoryTextSearch"/>). Per process and not durable: several silos each have their
/// own copy, so a multi-silo test cluster should share one instance between its silos.
/// </summary>
public sealed class InMemoryWorkflowReadModel : IWorkflowReadModel
{
    // Shared by every grain activation of the silo; the lock guards dictionary operations only,
    // never an await. Queries copy what they need and sort outside the lock.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkflowRow> _workflows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkflowRunRow> _runs = new(StringComparer.Ordinal);

    public Task UpsertWorkflowAsync(WorkflowRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Upsert(_workflows, row.Id, row, w => w.Sequence);
    }

    public Task DeleteWorkflowAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _workflows.Remove(workflowId);
        }

        return Task.CompletedTask;
    }

    public Task UpsertRunAsync(WorkflowRunRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Upsert(_runs, row.RunId, row, r => r.Sequence);
    }

    public Task<WorkflowPage> SearchAsync(WorkflowSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        var limit = Math.Clamp(search.Limit, 1, WorkflowRules.MaxPageSize);
        var candidates = Snapshot(_workflows.Values).Where(w =>
            (search.Status is not { } status || w.Status == status) &&
            (search.CreatedBy is null || string.Equals(w.CreatedBy, search.CreatedBy, StringComparison.Ordinal)));

        List<WorkflowSummary> page;
        if (string.IsNullOrWhiteSpace(search.Query))
        {
            var (at, id) = search.Cursor is null ? (DateTimeOffset.MaxValue, string.Empty) : WorkflowCursor.ParseUpdated(search.Cursor);
            page = candidates
                .Where(w => search.Cursor is null || w.UpdatedAt < at || (w.UpdatedAt == at && string.CompareOrdinal(w.Id, id) > 0))
                .OrderByDescending(w => w.UpdatedAt).ThenBy(w => w.Id, StringComparer.Ordinal)
                .Take(limit + 1)
                .Select(w => Summary(w, null))
                .ToList();
        }
        else
        {
            var (rank, id) = search.Cursor is null ? (double.MaxValue, string.Empty) : WorkflowCursor.ParseRank(search.Cursor);
            var text = new InMemoryTextSearch(search.Query);
            page = candidates
                .Select(w => (Row: w, Rank: text.Rank(w.Name, w.Goal)))
                .Where(r => r.Rank is not null)
                .Select(r => Summary(r.Row, r.Rank))
                .Where(s => search.Cursor is null || s.Rank < rank || (s.Rank == rank && string.CompareOrdinal(s.Id, id) > 0))
                .OrderByDescending(s => s.Rank).ThenBy(s => s.Id, StringComparer.Ordinal)
                .Take(limit + 1)
                .ToList();
        }

        if (page.Count <= limit)
        {
            return Task.FromResult(new WorkflowPage(page, null));
        }

        page.RemoveAt(limit);
        var last = page[^1];
        var next = last.Rank is { } lastRank ? WorkflowCursor.ForRank(lastRank, last.Id) : WorkflowCursor.ForUpdated(last.UpdatedAt, last.Id);
        return Task.FromResult(new WorkflowPage(page, next));
    }

    public Task<WorkflowRunPage> ListRunsAsync(string workflowId, WorkflowRunStatus? status, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        limit = Math.Clamp(limit, 1, WorkflowRules.MaxPageSize);
        var (at, id) = cursor is null ? (DateTimeOffset.MaxValue, string.Empty) : WorkflowCursor.ParseRun(cursor);
        var page = Snapshot(_runs.Values)
            .Where(r => string.Equals(r.WorkflowId, workflowId, StringComparison.Ordinal) && (status is not { } s || r.Status == s))
            .Where(r => cursor is null || r.StartedAt < at || (r.StartedAt == at && string.CompareOrdinal(r.RunId, id) > 0))
            .OrderByDescending(r => r.StartedAt).ThenBy(r => r.RunId, StringComparer.Ordinal)
            .Take(limit + 1)
            .Select(RunSummary)
            .ToList();
        if (page.Count <= limit)
        {
            return Task.FromResult(new WorkflowRunPage(page, null));
        }

        page.RemoveAt(limit);
        return Task.FromResult(new WorkflowRunPage(page, WorkflowCursor.ForRun(page[^1].StartedAt, page[^1].RunId)));
    }

    public Task<long> CountUnfinishedRunsAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult((long)_runs.Values.Count(r =>
                string.Equals(r.WorkflowId, workflowId, StringComparison.Ordinal) && !WorkflowRules.IsFinished(r.Status)));
        }
    }

    public Task<WorkflowStatistics> StatisticsAsync(int top, CancellationToken cancellationToken = default)
    {
        List<WorkflowRow> workflows;
        List<WorkflowRunRow> runs;
        lock (_gate)
        {
            workflows = [.. _workflows.Values];
            runs = [.. _runs.Values];
        }

        var names = workflows.ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);
        return Task.FromResult(WorkflowStatisticsCalculator.Calculate(
            workflows.Select(w => w.Status), runs, id => names.GetValueOrDefault(id, string.Empty), top));
    }

    /// <summary>Stores the row unless the stored one has the same or a higher sequence.</summary>
    private Task Upsert<T>(Dictionary<string, T> rows, string key, T row, Func<T, long> sequence)
    {
        lock (_gate)
        {
            if (!rows.TryGetValue(key, out var stored) || sequence(stored) < sequence(row))
            {
                rows[key] = row;
            }
        }

        return Task.CompletedTask;
    }

    private List<T> Snapshot<T>(IEnumerable<T> values)
    {
        lock (_gate)
        {
            return [.. values];
        }
    }

    private static WorkflowSummary Summary(WorkflowRow w, double? rank) =>
        new(w.Id, w.Name, w.Goal, w.Status, w.Version, w.CreatedBy, w.CreatedAt, w.UpdatedAt, rank);

    private static WorkflowRunSummary RunSummary(WorkflowRunRow r) =>
        new(r.RunId, r.WorkflowId, r.WorkflowVersion, r.Mode, r.Status, r.StartedBy, r.StartedAt, r.FinishedAt, r.ErrorCode);
}
