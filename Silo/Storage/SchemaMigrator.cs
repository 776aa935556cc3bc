using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace OrleansAgents.Silo.Storage;

/// <summary>
/// Applies the SQL files embedded from Silo/Migrations in order, each in its own transaction,
/// and records them in <c>agents_schema_history</c>. Safe to run repeatedly and from several
/// processes at once (an advisory lock serialises them).
/// </summary>
public static class SchemaMigrator
{
    private const long AdvisoryLockKey = 0x4f5247414e53; // "ORGANS": any constant unique to us

    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    /// <summary>The schema version this build needs: the highest migration it ships.</summary>
    public static int RequiredVersion => Migrations[^1].Version;

    public static async Task<IReadOnlyList<Migration>> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var applied = new List<Migration>();
        foreach (var migration in Migrations)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
            await ExecuteAsync(connection, tx, """
                CREATE TABLE IF NOT EXISTS agents_schema_history (
                    version    integer     NOT NULL PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var existing = await ReadChecksumAsync(connection, tx, migration.Version, cancellationToken);
            if (existing is not null)
            {
                if (existing != migration.Checksum)
                {
                    throw new SchemaException(
                        $"Migration {migration.Name} was applied with different content (checksum {existing}, this build has {migration.Checksum}). " +
                        "Applied migrations must never be edited; add a new one instead.");
                }

                await tx.RollbackAsync(cancellationToken);
                continue;
            }

            await ExecuteAsync(connection, tx, migration.Sql, cancellationToken);
            await using (var record = new NpgsqlCommand(
                "INSERT INTO agents_schema_history (version, name, checksum) VALUES ($1, $2, $3)", connection, tx))
            {
                record.Parameters.Add(new() { Value = migration.Version });
                record.Parameters.Add(new() { Value = migration.Name });
                record.Parameters.Add(new() { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
            applied.Add(migration);
        }

        return applied;
    }

    /// <summary>The highest applied version, or 0 for a database that was never migrated.</summary>
    public static async Task<int> GetVersionAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('agents_schema_history') IS NOT NULL", connection);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM agents_schema_history", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Throws a <see cref="SchemaException"/> that says what to run when the database is behind.</summary>
    public static async Task EnsureCurrentAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var version = await GetVersionAsync(connectionString, cancellationToken);
        if (version < RequiredVersion)
        {
            throw new SchemaException(
                $"The PostgreSQL database is at schema version {version} but this silo needs version {RequiredVersion}. " +
                "Apply the migrations first: `dotnet run --project Silo -- migrate` (or the k8s migration Job), then start the silo.");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string?> ReadChecksumAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT checksum FROM agents_schema_history WHERE version = $1", connection, tx);
        command.Parameters.Add(new() { Value = version });
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        const string marker = ".Migrations.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var name = resource[(resource.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
            var sql = reader.ReadToEnd().ReplaceLineEndings("\n");
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(version, name, sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }
}

public sealed record Migration(int Version, string Name, string Sql, string Checksum);

public sealed class SchemaException(string message) : Exception(message);
