using OrleansAgents.Silo.Storage;

namespace OrleansAgents.Silo.Hosting;

/// <summary>Stops the host from starting against a database whose schema is behind this build.</summary>
internal sealed class SchemaGuard(string connectionString) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => SchemaMigrator.EnsureCurrentAsync(connectionString, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
