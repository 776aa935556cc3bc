using Npgsql;
using OrleansAgents.Silo.Storage;

namespace OrleansAgents.Silo.Hosting;

/// <summary>
/// Stops the host from starting against a database whose schema is behind this build. A silo
/// started while PostgreSQL restarts waits for it (up to <see cref="UnreachableWait"/>) instead of
/// dying with an unhandled exception and a core-dump-sized stack trace (chaos suite, PostgreSQL restart).
/// </summary>
internal sealed partial class SchemaGuard(string connectionString, ILogger<SchemaGuard> logger) : IHostedService
{
    /// <summary>Longer than a database restart or fail-over; after it the start fails as before.</summary>
    private static readonly TimeSpan UnreachableWait = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var giveUp = DateTimeOffset.UtcNow + UnreachableWait;
        while (true)
        {
            try
            {
                await SchemaMigrator.EnsureCurrentAsync(connectionString, cancellationToken);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && DateTimeOffset.UtcNow < giveUp)
            {
                LogWaiting(e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL does not answer yet ({Reason}); the silo waits for it before starting")]
    private partial void LogWaiting(string reason);
}
