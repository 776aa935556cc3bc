namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Every agent's tasks as a queryable read model: rows in PostgreSQL on durable silos
/// (<c>PostgresTaskLog</c>, batched across the silo's tasks), in memory in embedded mode and test
/// clusters. Task grains write their latest summary here after their own state is stored; an
/// upsert with a lower or equal version than the one held is ignored, so a retried or late write
/// never goes backwards. Unfinished tasks are always kept; finished ones beyond
/// <see cref="TaskOptions.LogRetention"/> per agent are trimmed, oldest update first.
/// Implementations are silo singletons and must be thread-safe.
/// </summary>
public interface ITaskLog
{
    /// <summary>Completes when the summary is stored (or an equal or newer version already was).</summary>
    Task UpsertAsync(TaskSummary summary, CancellationToken cancellationToken = default);

    /// <summary>
    /// The agent's tasks newest created first (then id), optionally of one state. The cursor is the
    /// opaque one a previous page returned; a malformed one throws DomainException
    /// (<c>request.invalid_cursor</c>), a limit outside 1..<see cref="TaskRules.MaxPageSize"/> too.
    /// </summary>
    Task<TaskSummaryPage> ListAsync(string agentId, TaskState? state, int limit, string? cursor, CancellationToken cancellationToken = default);
}
