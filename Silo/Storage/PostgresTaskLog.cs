using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Tasks;

namespace OrleansAgents.Silo.Storage;

/// <summary>
/// The task log in the <c>agents_task_log</c> table (migration 0005). Upserts from all the silo's
/// task grains are group-committed: one writer drains what has queued up while the previous
/// statement ran and stores it as one multi-row <c>INSERT … ON CONFLICT</c> (rows sorted by id, so
/// silos writing the same tasks lock them in the same order), and each caller's task completes when
/// its row is stored. Busy silos thus pay one statement for many task changes; an idle one writes
/// each change at once. Nothing maintained batches independent upserts across callers like this
/// (Npgsql batches commands of one caller), hence our own small writer.
/// Finished rows beyond <see cref="TaskOptions.LogRetention"/> per agent are trimmed every
/// <see cref="TrimInterval"/>, for the agents this silo wrote finished tasks of since the last trim.
/// </summary>
public sealed partial class PostgresTaskLog : ITaskLog, IAsyncDisposable
{
    /// <summary>How often finished rows beyond the retention are deleted.</summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(30);

    private const int MaxBatch = 512;
    private const int MaxTries = 3;
    private const string Columns = "id, agent_id, skill, priority, state, attempts, created_at, updated_at, error_code, error_message, error_transient, version, submitted_by";

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptions<TaskOptions> _options;
    private readonly TaskMetrics _metrics;
    private readonly ILogger<PostgresTaskLog> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _toTrim = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly Task _trimmer;
    private int _disposed;

    public PostgresTaskLog(NpgsqlDataSource dataSource, IOptions<TaskOptions> options, TaskMetrics metrics, ILogger<PostgresTaskLog> logger)
    {
        _dataSource = dataSource;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
        _trimmer = Task.Run(TrimLoopAsync);
    }

    public Task UpsertAsync(TaskSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var pending = new Pending(summary, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PostgresTaskLog), "The silo is stopping; the task log takes no more writes.");
        }

        return pending.Stored.Task.WaitAsync(cancellationToken);
    }

    public async Task<TaskSummaryPage> ListAsync(string agentId, TaskState? state, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        TaskListing.RequireLimit(limit);
        await using var command = _dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM agents_task_log WHERE agent_id = @agent");
        command.Parameters.AddWithValue("agent", agentId);
        if (state is { } s)
        {
            sql.Append(" AND state = @state");
            command.Parameters.AddWithValue("state", (short)s);
        }

        if (cursor is not null)
        {
            var (at, id) = TaskListing.ParseCursor(cursor);
            sql.Append(" AND (created_at < @at OR (created_at = @at AND id > @id))");
            command.Parameters.AddWithValue("at", at);
            command.Parameters.AddWithValue("id", id);
        }

        command.CommandText = sql.Append(" ORDER BY created_at DESC, id LIMIT @limit").ToString();
        var (items, more) = await PostgresPages.ReadAsync(command, limit, reader => new TaskSummary(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            (TaskPriority)reader.GetInt16(3),
            (TaskState)reader.GetInt16(4),
            reader.GetInt32(5),
            reader.GetFieldValue<DateTimeOffset>(6),
            reader.GetFieldValue<DateTimeOffset>(7),
            reader.IsDBNull(8) ? null : new TaskError(reader.GetString(8), reader.IsDBNull(9) ? "" : reader.GetString(9), reader.GetBoolean(10)),
            reader.GetInt64(11))
        {
            SubmittedBy = reader.IsDBNull(12) ? null : reader.GetString(12),
        }, cancellationToken);
        return new TaskSummaryPage(items, more ? TaskListing.Cursor(items[^1]) : null);
    }

    /// <summary>Stores what is queued, then stops; writes after this throw. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer;
        await _stopping.CancelAsync();
        await _trimmer;
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                await WriteAsync(batch);
                foreach (var pending in batch)
                {
                    if (TaskRules.IsFinished(pending.Summary.State))
                    {
                        _toTrim.TryAdd(pending.Summary.AgentId, 0);
                    }

                    pending.Stored.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                LogWriteFailed(ex, batch.Count);
                foreach (var pending in batch)
                {
                    pending.Stored.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        // The newest version of each task only: one statement may not update a row twice.
        var rows = batch.Select(p => p.Summary)
            .GroupBy(s => s.Id, StringComparer.Ordinal)
            .Select(g => g.MaxBy(s => s.Version)!)
            .OrderBy(s => s.Id, StringComparer.Ordinal)
            .ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = _dataSource.CreateCommand($"""
                    INSERT INTO agents_task_log ({Columns})
                    SELECT * FROM unnest(@id, @agent, @skill, @priority, @state, @attempts, @created, @updated,
                                         @errorCode, @errorMessage, @errorTransient, @version, @submittedBy)
                    ON CONFLICT (id) DO UPDATE SET
                        agent_id = excluded.agent_id, skill = excluded.skill, priority = excluded.priority, state = excluded.state,
                        attempts = excluded.attempts, created_at = excluded.created_at, updated_at = excluded.updated_at,
                        error_code = excluded.error_code, error_message = excluded.error_message,
                        error_transient = excluded.error_transient, version = excluded.version, submitted_by = excluded.submitted_by
                    WHERE agents_task_log.version < excluded.version
                    """);
                var p = command.Parameters;
                p.AddWithValue("id", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Id).ToArray());
                p.AddWithValue("agent", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.AgentId).ToArray());
                p.AddWithValue("skill", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => Text(r.Skill)).ToArray());
                p.AddWithValue("priority", NpgsqlDbType.Array | NpgsqlDbType.Smallint, rows.Select(r => (short)r.Priority).ToArray());
                p.AddWithValue("state", NpgsqlDbType.Array | NpgsqlDbType.Smallint, rows.Select(r => (short)r.State).ToArray());
                p.AddWithValue("attempts", NpgsqlDbType.Array | NpgsqlDbType.Integer, rows.Select(r => r.Attempts).ToArray());
                p.AddWithValue("created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => r.CreatedAt.UtcDateTime).ToArray());
                p.AddWithValue("updated", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => r.UpdatedAt.UtcDateTime).ToArray());
                p.AddWithValue("errorCode", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Error is null ? null : Text(r.Error.Code)).ToArray());
                p.AddWithValue("errorMessage", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Error is null ? null : Text(r.Error.Message)).ToArray());
                p.AddWithValue("errorTransient", NpgsqlDbType.Array | NpgsqlDbType.Boolean, rows.Select(r => r.Error?.Transient ?? false).ToArray());
                p.AddWithValue("version", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Version).ToArray());
                p.AddWithValue("submittedBy", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.SubmittedBy).ToArray());
                await command.ExecuteNonQueryAsync();
                _metrics.LogWritten(rows.Length);
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < MaxTries)
            {
                LogWriteRetried(ex, rows.Length, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
        }
    }

    private async Task TrimLoopAsync()
    {
        using var timer = new PeriodicTimer(TrimInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await TrimAsync(_stopping.Token);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes the finished rows beyond the retention of the agents written since the last trim.</summary>
    public async Task TrimAsync(CancellationToken cancellationToken = default)
    {
        var agents = _toTrim.Keys.ToArray();
        foreach (var agent in agents)
        {
            _toTrim.TryRemove(agent, out _);
        }

        foreach (var chunk in agents.Chunk(500))
        {
            try
            {
                // The outer state test is evaluated again on a row updated meanwhile (READ COMMITTED),
                // so a task requeued while the trim runs is not deleted.
                await using var command = _dataSource.CreateCommand("""
                    DELETE FROM agents_task_log t
                    USING (SELECT id FROM (
                               SELECT id, row_number() OVER (PARTITION BY agent_id ORDER BY updated_at DESC, id) AS n
                               FROM agents_task_log WHERE agent_id = ANY(@agents) AND state >= 2) ranked
                           WHERE n > @retention) old
                    WHERE t.id = old.id AND t.state >= 2
                    """);
                command.Parameters.AddWithValue("agents", NpgsqlDbType.Array | NpgsqlDbType.Text, chunk);
                command.Parameters.AddWithValue("retention", (long)_options.Value.LogRetention);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTrimFailed(ex, chunk.Length);
                foreach (var agent in chunk)
                {
                    _toTrim.TryAdd(agent, 0);
                }
            }
        }
    }

    /// <summary>PostgreSQL text cannot hold NUL; a skill's error message may.</summary>
    private static string Text(string value) => value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;

    [LoggerMessage(LogLevel.Warning, "Storing {Count} task log rows failed; their tasks write them again on their next change or follow-up")]
    private partial void LogWriteFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Information, "Storing {Count} task log rows failed transiently (try {Attempt}); trying again")]
    private partial void LogWriteRetried(Exception exception, int count, int attempt);

    [LoggerMessage(LogLevel.Warning, "Trimming the task logs of {Count} agents failed; the next trim tries again")]
    private partial void LogTrimFailed(Exception exception, int count);

    private sealed record Pending(TaskSummary Summary, TaskCompletionSource Stored);
}
