using OrleansAgents.Silo.Storage;

namespace OrleansAgents.Silo.Hosting;

/// <summary><c>dotnet run --project Silo -- migrate</c>: applies pending migrations and reports the version.</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var connectionString = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:Postgres is required (environment: ConnectionStrings__Postgres).");
            return 2;
        }

        try
        {
            var applied = await SchemaMigrator.ApplyAsync(connectionString);
            foreach (var m in applied)
            {
                Console.WriteLine($"applied {m.Name}");
            }

            Console.WriteLine($"schema at version {await SchemaMigrator.GetVersionAsync(connectionString)} ({applied.Count} migration(s) applied now)");
            return 0;
        }
        catch (Exception ex) when (ex is SchemaException or Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync("Migration failed: " + ex.Message);
            return 1;
        }
    }
}
