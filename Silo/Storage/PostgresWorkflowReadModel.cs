using System.Text;
using Npgsql;
using NpgsqlTypes;
using OrleansAgents.Grains.Workflows.ReadModel;
using OrleansAgents.Workflows;

namespace OrleansAgents.Silo.Storage;

/// <summary>
/// The workflow read model in the <c>agents_workflows</c> and <c>agents_workflow_runs</c> tables
/// (migration 0004): full-text search with <c>websearch_to_tsquery</c> ranked by
/// <c>ts_rank_cd</c>, keyset pages, statistics in SQL. Upserts only win with a higher sequence.
/// The SQL is assembled from fixed fragments only; every value is a parameter.
/// </summary>
public sealed partial class PostgresWorkflowReadModel(NpgsqlDataSource dataSource) : IWorkflowReadModel
{
    private const string SummaryColumns = "id, name, goal, status, version, created_by, created_at, updated_at";
    private const string RunColumns = "run_id, workflow_id, workflow_version, mode, status, started_by, started_at, finished_at, error_code";

    public async Task UpsertWorkflowAsync(WorkflowRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO agents_workflows (id, name, goal, status, version, created_by, created_at, updated_by, updated_at, definition, seq)
            VALUES (@id, @name, @goal, @status, @version, @createdBy, @createdAt, @updatedBy, @updatedAt, @definition, @seq)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, goal = excluded.goal, status = excluded.status, version = excluded.version,
                created_by = excluded.created_by, created_at = excluded.created_at, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at, definition = excluded.definition, seq = excluded.seq
            WHERE agents_workflows.seq < excluded.seq
            """);
        command.Parameters.AddWithValue("id", row.Id);
        command.Parameters.AddWithValue("name", row.Name);
        command.Parameters.AddWithValue("goal", row.Goal);
        command.Parameters.AddWithValue("status", WorkflowReadModelText.ToText(row.Status));
        command.Parameters.AddWithValue("version", row.Version);
        command.Parameters.AddWithValue("createdBy", row.CreatedBy);
        command.Parameters.AddWithValue("createdAt", row.CreatedAt.ToUniversalTime());
        command.Parameters.AddWithValue("updatedBy", row.UpdatedBy);
        command.Parameters.AddWithValue("updatedAt", row.UpdatedAt.ToUniversalTime());
        command.Parameters.AddWithValue("definition", NpgsqlDbType.Jsonb, row.DefinitionJson);
        command.Parameters.AddWithValue("seq", row.Sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteWorkflowAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM agents_workflows WHERE id = @id");
        command.Parameters.AddWithValue("id", workflowId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task UpsertRunAsync(WorkflowRunRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO agents_workflow_runs ({RunColumns}, seq)
            VALUES (@runId, @workflowId, @version, @mode, @status, @startedBy, @startedAt, @finishedAt, @errorCode, @seq)
            ON CONFLICT (run_id) DO UPDATE SET
                workflow_id = excluded.workflow_id, workflow_version = excluded.workflow_version, mode = excluded.mode,
                status = excluded.status, started_by = excluded.started_by, started_at = excluded.started_at,
                finished_at = excluded.finished_at, error_code = excluded.error_code, seq = excluded.seq
            WHERE agents_workflow_runs.seq < excluded.seq
            """);
        command.Parameters.AddWithValue("runId", row.RunId);
        command.Parameters.AddWithValue("workflowId", row.WorkflowId);
        command.Parameters.AddWithValue("version", row.WorkflowVersion);
        command.Parameters.AddWithValue("mode", WorkflowReadModelText.ToText(row.Mode));
        command.Parameters.AddWithValue("status", WorkflowReadModelText.ToText(row.Status));
        command.Parameters.AddWithValue("startedBy", row.StartedBy);
        command.Parameters.AddWithValue("startedAt", row.StartedAt.ToUniversalTime());
        command.Parameters.AddWithValue("finishedAt", NpgsqlDbType.TimestampTz, row.FinishedAt is { } f ? f.ToUniversalTime() : DBNull.Value);
        command.Parameters.AddWithValue("errorCode", NpgsqlDbType.Text, (object?)row.ErrorCode ?? DBNull.Value);
        command.Parameters.AddWithValue("seq", row.Sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<WorkflowPage> SearchAsync(WorkflowSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        var limit = Math.Clamp(search.Limit, 1, WorkflowRules.MaxPageSize);
        var ranked = !string.IsNullOrWhiteSpace(search.Query);
        await using var command = dataSource.CreateCommand();
        var where = new StringBuilder();
        void Filter(string clause) => where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(clause);

        if (search.Status is { } status)
        {
            Filter("status = @status");
            command.Parameters.AddWithValue("status", WorkflowReadModelText.ToText(status));
        }

        if (search.CreatedBy is not null)
        {
            Filter("created_by = @createdBy");
            command.Parameters.AddWithValue("createdBy", search.CreatedBy);
        }

        if (ranked)
        {
            Filter("search @@ query");
            command.Parameters.AddWithValue("q", search.Query!);
            var after = search.Cursor is null ? "" : " WHERE rank < @rank OR (rank = @rank AND id > @id)";
            if (search.Cursor is not null)
            {
                var (rank, id) = WorkflowCursor.ParseRank(search.Cursor);
                command.Parameters.AddWithValue("rank", NpgsqlDbType.Real, (float)rank);
                command.Parameters.AddWithValue("id", id);
            }

            command.CommandText =
                $"SELECT * FROM (SELECT {SummaryColumns}, ts_rank_cd(search, query) AS rank " +
                $"FROM agents_workflows, websearch_to_tsquery('english', @q) AS query{where}) ranked" +
                $"{after} ORDER BY rank DESC, id LIMIT @limit";
        }
        else
        {
            if (search.Cursor is not null)
            {
                var (at, id) = WorkflowCursor.ParseUpdated(search.Cursor);
                Filter("(updated_at < @at OR (updated_at = @at AND id > @id))");
                command.Parameters.AddWithValue("at", at);
                command.Parameters.AddWithValue("id", id);
            }

            command.CommandText = $"SELECT {SummaryColumns}, NULL::real AS rank FROM agents_workflows{where} ORDER BY updated_at DESC, id LIMIT @limit";
        }

        var (items, more) = await PostgresPages.ReadAsync(command, limit, reader => new WorkflowSummary(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            WorkflowReadModelText.Parse<WorkflowStatus>(reader.GetString(3)),
            reader.GetInt32(4),
            reader.GetString(5),
            reader.GetFieldValue<DateTimeOffset>(6),
            reader.GetFieldValue<DateTimeOffset>(7),
            reader.IsDBNull(8) ? null : reader.GetFloat(8)), cancellationToken);
        if (!more)
        {
            return new WorkflowPage(items, null);
        }

        var last = items[^1];
        return new WorkflowPage(items, ranked ? WorkflowCursor.ForRank(last.Rank!.Value, last.Id) : WorkflowCursor.ForUpdated(last.UpdatedAt, last.Id));
    }

    public async Task<WorkflowRunPage> ListRunsAsync(string workflowId, WorkflowRunStatus? status, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        limit = Math.Clamp(limit, 1, WorkflowRules.MaxPageSize);
        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {RunColumns} FROM agents_workflow_runs WHERE workflow_id = @workflowId");
        command.Parameters.AddWithValue("workflowId", workflowId);
        if (status is { } s)
        {
            sql.Append(" AND status = @status");
            command.Parameters.AddWithValue("status", WorkflowReadModelText.ToText(s));
        }

        if (cursor is not null)
        {
            var (at, id) = WorkflowCursor.ParseRun(cursor);
            sql.Append(" AND (started_at < @at OR (started_at = @at AND run_id > @id))");
            command.Parameters.AddWithValue("at", at);
            command.Parameters.AddWithValue("id", id);
        }

        command.CommandText = sql.Append(" ORDER BY started_at DESC, run_id LIMIT @limit").ToString();
        var (items, more) = await PostgresPages.ReadAsync(command, limit, reader => new WorkflowRunSummary(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetInt32(2),
            WorkflowReadModelText.Parse<WorkflowRunMode>(reader.GetString(3)),
            WorkflowReadModelText.Parse<WorkflowRunStatus>(reader.GetString(4)),
            reader.GetString(5),
            reader.GetFieldValue<DateTimeOffset>(6),
            reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
            reader.IsDBNull(8) ? null : reader.GetString(8)), cancellationToken);
        return new WorkflowRunPage(items, more ? WorkflowCursor.ForRun(items[^1].StartedAt, items[^1].RunId) : null);
    }

    public async Task<long> CountUnfinishedRunsAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM agents_workflow_runs WHERE workflow_id = @workflowId AND status IN ('running', 'waiting')");
        command.Parameters.AddWithValue("workflowId", workflowId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
