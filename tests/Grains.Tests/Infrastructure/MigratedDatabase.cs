using Npgsql;

namespace OrleansAgents.Tests.Infrastructure;

/// <summary>One migrated database and its data source for a test class (each test empties the tables it uses).</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public TestDatabase Db { get; private set; } = null!;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        DataSource = NpgsqlDataSource.Create(Db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Db.DisposeAsync();
    }
}
