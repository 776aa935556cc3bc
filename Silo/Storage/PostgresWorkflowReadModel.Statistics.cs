using Npgsql;
using OrleansAgents.Grains.Workflows.ReadModel;
using OrleansAgents.Workflows;

namespace OrleansAgents.Silo.Storage;

/// <summary>Statistics in SQL: one batch of four aggregate queries over both tables.</summary>
public sealed partial class PostgresWorkflowReadModel
{
    private const string Finished = "('succeeded', 'failed', 'cancelled')";

    public async Task<WorkflowStatistics> StatisticsAsync(int top, CancellationToken cancellationToken = default)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT status, count(*) FROM agents_workflows GROUP BY status"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT mode, status, count(*) FROM agents_workflow_runs GROUP BY mode, status"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            SELECT (count(*) FILTER (WHERE status = 'succeeded'))::double precision / NULLIF(count(*) FILTER (WHERE status IN {Finished}), 0),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE status IN {Finished}),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE status IN {Finished})
            FROM agents_workflow_runs
            """));
        // A deleted workflow keeps its runs: it shows with its id and an empty name.
        var failures = new NpgsqlBatchCommand("""
            SELECT r.workflow_id, COALESCE(w.name, ''), r.failed, r.runs
            FROM (SELECT workflow_id, count(*) FILTER (WHERE status = 'failed') AS failed, count(*) AS runs
                  FROM agents_workflow_runs GROUP BY workflow_id) r
            LEFT JOIN agents_workflows w ON w.id = r.workflow_id
            WHERE r.failed > 0
            ORDER BY r.failed DESC, r.workflow_id
            LIMIT $1
            """);
        failures.Parameters.Add(new NpgsqlParameter { Value = Math.Max(top, 0) });
        batch.BatchCommands.Add(failures);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var statusCounts = new List<KeyValuePair<WorkflowStatus, long>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            statusCounts.Add(KeyValuePair.Create(WorkflowReadModelText.Parse<WorkflowStatus>(reader.GetString(0)), reader.GetInt64(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        var runCounts = new Dictionary<(WorkflowRunMode, WorkflowRunStatus), long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runCounts[(WorkflowReadModelText.Parse<WorkflowRunMode>(reader.GetString(0)), WorkflowReadModelText.Parse<WorkflowRunStatus>(reader.GetString(1)))] = reader.GetInt64(2);
        }


        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        double? successRate = reader.IsDBNull(0) ? null : reader.GetDouble(0);
        double? p50 = reader.IsDBNull(1) ? null : reader.GetDouble(1);
        double? p95 = reader.IsDBNull(2) ? null : reader.GetDouble(2);

        await reader.NextResultAsync(cancellationToken);
        var mostFailures = new List<WorkflowFailureCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            mostFailures.Add(new WorkflowFailureCount(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return new WorkflowStatistics(
            WorkflowStatisticsCalculator.ByStatus(statusCounts), WorkflowStatisticsCalculator.RunGrid(runCounts), successRate, p50, p95, mostFailures);
    }
}
