using Npgsql;

namespace OrleansAgents.Bench;

/// <summary>
/// PostgreSQL's own counters (no extension needed): rows inserted + updated + deleted per table
/// from pg_stat_user_tables, and committed transactions from pg_stat_database. Backends flush
/// these at most once a second and an idle one within ~10 s, so a reading waits for them to settle.
/// WAL bytes (pg_current_wal_lsn) measure what the writes weigh, not only how many there are.
/// </summary>
internal sealed class PgCounters(string connectionString)
{
    public sealed record Snapshot(long Commits, long WalBytes, IReadOnlyDictionary<string, long> RowWrites)
    {
        public long Rows => RowWrites.Values.Sum();
    }

    public async Task<Snapshot> ReadAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
        {
            await clear.ExecuteNonQueryAsync();
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var tables = new NpgsqlCommand("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables", connection))
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        await using var commits = new NpgsqlCommand(
            "SELECT xact_commit, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var totals = await commits.ExecuteReaderAsync();
        await totals.ReadAsync();
        return new Snapshot(totals.GetInt64(0), totals.GetInt64(1), rows);
    }

    /// <summary>
    /// Reads until two readings a second apart agree and at least <paramref name="minimum"/> has
    /// passed; a cluster that never stops writing (periodic jobs) gets the reading at minimum + 15 s.
    /// </summary>
    public async Task<Snapshot> SettledAsync(TimeSpan minimum)
    {
        var started = DateTime.UtcNow;
        var last = await ReadAsync();
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = await ReadAsync();
            var waited = DateTime.UtcNow - started;
            if ((now.Rows == last.Rows && waited >= minimum) || waited >= minimum + TimeSpan.FromSeconds(15))
            {
                return now;
            }

            last = now;
        }
    }

    /// <summary>Row writes per table between two readings, largest first (this bench's own reads commit too, a few per reading).</summary>
    public static IEnumerable<(string Table, long Writes)> Delta(Snapshot before, Snapshot after) =>
        after.RowWrites.Select(t => (t.Key, t.Value - before.RowWrites.GetValueOrDefault(t.Key)))
            .Where(t => t.Item2 > 0).OrderByDescending(t => t.Item2);
}
