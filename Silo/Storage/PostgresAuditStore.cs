using System.Text;
using Npgsql;
using OrleansAgents.Grains.Security.Audit;
using OrleansAgents.Security;

namespace OrleansAgents.Silo.Storage;

/// <summary>
/// The audit log in the append-only <c>agents_audit_log</c> table (migration 0003). Only INSERT
/// and SELECT are issued; the table's triggers refuse anything else. Every value is a parameter.
/// </summary>
public sealed class PostgresAuditStore(NpgsqlDataSource dataSource) : IAuditStore
{
    private const string Columns = "id, at, actor, action, target, outcome, source, detail";

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var e = AuditRules.Normalize(entry);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO agents_audit_log (actor, action, target, outcome, source, detail) " +
            "VALUES (@actor, @action, @target, @outcome, @source, @detail) RETURNING id, at");
        command.Parameters.AddWithValue("actor", e.Actor);
        command.Parameters.AddWithValue("action", e.Action);
        command.Parameters.AddWithValue("target", (object?)e.Target ?? DBNull.Value);
        command.Parameters.AddWithValue("outcome", e.Outcome);
        command.Parameters.AddWithValue("source", (object?)e.Source ?? DBNull.Value);
        command.Parameters.AddWithValue("detail", (object?)e.Detail ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return e with { Id = reader.GetInt64(0), At = reader.GetFieldValue<DateTimeOffset>(1) };
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var limit = Math.Clamp(query.Limit, 1, AuditRules.MaxPageSize);
        await using var command = dataSource.CreateCommand();
        // The SQL is assembled from fixed fragments only; values travel as parameters.
        var where = new StringBuilder();
        void Filter(string clause, string name, object value)
        {
            where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(clause);
            command.Parameters.AddWithValue(name, value);
        }

        if (query.BeforeId is { } beforeId)
        {
            Filter("id < @beforeId", "beforeId", beforeId);
        }

        if (query.Actor is not null)
        {
            Filter("actor = @actor", "actor", query.Actor);
        }

        if (query.Action is not null)
        {
            Filter("action = @action", "action", query.Action);
        }

        if (query.From is { } from)
        {
            Filter("at >= @from", "from", from.ToUniversalTime());
        }

        if (query.To is { } to)
        {
            Filter("at < @to", "to", to.ToUniversalTime());
        }

        command.CommandText = $"SELECT {Columns} FROM agents_audit_log{where} ORDER BY id DESC LIMIT @limit";
        var (items, more) = await PostgresPages.ReadAsync(command, limit, reader => new AuditEntry(
            reader.GetInt64(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7)), cancellationToken);
        return new AuditPage(items, more ? items[^1].Id : null);
    }
}
