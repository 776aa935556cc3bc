namespace OrleansAgents.Grains.Workflows.ReadModel;

/// <summary>A workflow's row in the read model (the latest version), written by its grain after each stored change.</summary>
/// <param name="Sequence">Increases with every change of the workflow; an upsert with a lower or equal sequence than the stored row is ignored.</param>
/// <param name="DefinitionJson">The latest definition as JSON (stored as JSONB).</param>
public sealed record class WorkflowRow(
    string Id,
    string Name,
    string Goal,
    WorkflowStatus Status,
    int Version,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string UpdatedBy,
    DateTimeOffset UpdatedAt,
    string DefinitionJson,
    long Sequence);

/// <summary>A run's row in the read model, written by the run grain when it starts and whenever its status changes.</summary>
/// <param name="Sequence">Increases with every change of the run; an upsert with a lower or equal sequence is ignored.</param>
public sealed record class WorkflowRunRow(
    string RunId,
    string WorkflowId,
    int WorkflowVersion,
    WorkflowRunMode Mode,
    WorkflowRunStatus Status,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? ErrorCode,
    long Sequence);

/// <summary>
/// The queryable copy of workflows and runs: PostgreSQL tables on durable silos (full-text search,
/// statistics in SQL), in memory in embedded mode and test clusters. The grains are the source of
/// truth and write here after their own state is stored; writes are idempotent and ordered by
/// sequence so a retried or late write never goes backwards. Implementations are silo singletons
/// and must be thread-safe.
/// </summary>
public interface IWorkflowReadModel
{
    Task UpsertWorkflowAsync(WorkflowRow row, CancellationToken cancellationToken = default);

    /// <summary>Removes the workflow's row (its runs' rows stay).</summary>
    Task DeleteWorkflowAsync(string workflowId, CancellationToken cancellationToken = default);

    Task UpsertRunAsync(WorkflowRunRow row, CancellationToken cancellationToken = default);

    /// <summary>
    /// Filters by status and creator; with a query, PostgreSQL full-text search over name and goal
    /// (ranked best first, then id); without, most recently updated first, then id. The cursor is
    /// opaque and continues the same ordering; a malformed cursor throws DomainException (400,
    /// <c>request.invalid_query</c>).
    /// </summary>
    Task<WorkflowPage> SearchAsync(WorkflowSearch search, CancellationToken cancellationToken = default);

    /// <summary>A workflow's runs, newest started first (then run id), optionally of one status.</summary>
    Task<WorkflowRunPage> ListRunsAsync(string workflowId, WorkflowRunStatus? status, int limit, string? cursor, CancellationToken cancellationToken = default);

    /// <summary>How many of the workflow's runs are not finished (running or waiting).</summary>
    Task<long> CountUnfinishedRunsAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>See <see cref="WorkflowStatistics"/>; <paramref name="top"/> bounds the most-failures list.</summary>
    Task<WorkflowStatistics> StatisticsAsync(int top, CancellationToken cancellationToken = default);
}
