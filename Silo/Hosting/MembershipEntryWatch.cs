using Orleans.Runtime;

namespace OrleansAgents.Silo.Hosting;

/// <summary>
/// Stops the silo when the membership table has lost its row. A Redis without persistence (the dev
/// overlay's) that restarts comes back empty: Orleans keeps running on its last snapshot and never
/// writes its row back, while a silo started since reads a table without it and forms a second
/// cluster that activates the same grains (seen by the chaos suite as write conflicts on agent
/// queues). After <see cref="SiloSettings.MembershipLossGrace"/> without its row, the silo logs one
/// line and stops with exit code 6 (<see cref="Lost"/>); the orchestrator's restart rejoins. Redis
/// being unreachable is not a loss: Orleans rides that out on its snapshot.
/// </summary>
public sealed partial class MembershipEntryWatch(
    IServiceProvider services,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    SiloSettings settings,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<MembershipEntryWatch> logger) : BackgroundService
{
    public const int ExitCode = 6;

    public bool Lost { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var table = services.GetService<IMembershipTable>();
        if (table is null)
        {
            return;
        }

        // Two looks per grace period: a row missing on two looks in a row has been gone at least half of it.
        using var timer = new PeriodicTimer(settings.MembershipLossGrace / 2, time);
        DateTimeOffset? missingSince = null;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) != SiloStatus.Active)
            {
                missingSince = null; // joining or leaving: Orleans writes the row itself
                continue;
            }

            var present = await HasRowAsync(table, stoppingToken).ConfigureAwait(false);
            missingSince = present != false ? null : missingSince ?? time.GetUtcNow();
            if (missingSince is { } since && time.GetUtcNow() - since >= settings.MembershipLossGrace / 2)
            {
                LogRowLost(local.SiloAddress, settings.MembershipLossGrace);
                Lost = true;
                lifetime.StopApplication();
                return;
            }
        }
    }

    /// <summary>True or false from the table; null when it cannot be read for now (Redis down).</summary>
    private async Task<bool?> HasRowAsync(IMembershipTable table, CancellationToken cancellationToken)
    {
        try
        {
            var data = await table.ReadRowAsync(local.SiloAddress, cancellationToken).ConfigureAwait(false);
            return data.Members.Any(m => m.Item1.SiloAddress.Equals(local.SiloAddress));
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException or TimeoutException)
        {
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reachable but unreadable: an emptied table has no version row either.
            LogRowUnreadable(ex.GetType().Name, ex.Message);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Critical, "The membership table lost this silo's row ({SiloAddress}; Redis restarted empty?): missing on two looks within {Grace}, so the silo stops for a restart to rejoin the cluster")]
    private partial void LogRowLost(SiloAddress siloAddress, TimeSpan grace);

    [LoggerMessage(LogLevel.Warning, "The membership table could not be read: {ExceptionType}: {Message}")]
    private partial void LogRowUnreadable(string exceptionType, string message);
}
