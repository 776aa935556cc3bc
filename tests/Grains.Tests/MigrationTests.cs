using Npgsql;
using OrleansAgents.Silo.Storage;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Apply_IsIdempotent_AndRecordsTheVersion()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        Assert.Equal(0, await SchemaMigrator.GetVersionAsync(db.ConnectionString));

        var first = await SchemaMigrator.ApplyAsync(db.ConnectionString);
        var second = await SchemaMigrator.ApplyAsync(db.ConnectionString);

        Assert.Equal(SchemaMigrator.Migrations.Count, first.Count);
        Assert.Empty(second);
        Assert.Equal(SchemaMigrator.RequiredVersion, await SchemaMigrator.GetVersionAsync(db.ConnectionString));
        Assert.Equal(11L, await db.ScalarAsync<long>("SELECT count(*) FROM OrleansQuery"));
    }

    [Fact]
    public async Task Apply_ConcurrentRunners_ApplyEachMigrationOnce()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SchemaMigrator.ApplyAsync(db.ConnectionString)));

        Assert.Equal(SchemaMigrator.Migrations.Count, results.Sum(r => r.Count));
        Assert.Equal((long)SchemaMigrator.Migrations.Count, await db.ScalarAsync<long>("SELECT count(*) FROM agents_schema_history"));
    }

    [Fact]
    public async Task Apply_Refuses_WhenAnAppliedMigrationWasEdited()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            await using var tamper = new NpgsqlCommand("UPDATE agents_schema_history SET checksum = 'edited' WHERE version = 1", connection);
            await tamper.ExecuteNonQueryAsync();
        }

        var ex = await Assert.ThrowsAsync<SchemaException>(() => SchemaMigrator.ApplyAsync(db.ConnectionString));
        Assert.Contains("0001_orleans_storage", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE agents_audit_log SET actor = 'mallory'")]
    [InlineData("DELETE FROM agents_audit_log")]
    [InlineData("TRUNCATE agents_audit_log")]
    public async Task AuditLogMigration_RefusesToRewriteHistory(string statement)
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO agents_audit_log (actor, action, outcome) VALUES ('alice', 'breaker.isolated', 'succeeded')", connection))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var tamper = new NpgsqlCommand(statement, connection);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => tamper.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, ex.SqlState);
        Assert.Contains("append-only", ex.MessageText, StringComparison.Ordinal);
        Assert.Equal("alice", await db.ScalarAsync<string>("SELECT actor FROM agents_audit_log"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM agents_audit_log"));
    }

    [Theory]
    [InlineData("INSERT INTO agents_workflows (id, name, goal, status, version, created_by, created_at, updated_by, updated_at, definition, seq) VALUES ('wf', 'n', 'g', 'Active', 1, 'a', now(), 'a', now(), '{}', 1)")]
    [InlineData("INSERT INTO agents_workflow_runs (run_id, workflow_id, workflow_version, mode, status, started_by, started_at, seq) VALUES ('r', 'wf', 1, 'prod', 'running', 'a', now(), 1)")]
    [InlineData("INSERT INTO agents_workflow_runs (run_id, workflow_id, workflow_version, mode, status, started_by, started_at, seq) VALUES ('r', 'wf', 1, 'test', 'done', 'a', now(), 1)")]
    public async Task WorkflowsMigration_RefusesEnumTextTheApiDoesNotSpell(string statement)
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(statement, connection);

        var ex = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
    }

    [Fact]
    public async Task Silo_RefusesToStart_AgainstAnUnmigratedDatabase()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var app = SiloProcess.Build(db.ConnectionString, "unmigrated-" + Guid.NewGuid().ToString("N")[..8], null, out _);
        await using (app)
        {
            var ex = await Assert.ThrowsAsync<SchemaException>(() => app.StartAsync());
            Assert.Contains("migrate", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"needs version {SchemaMigrator.RequiredVersion}", ex.Message, StringComparison.Ordinal);
        }
    }
}
