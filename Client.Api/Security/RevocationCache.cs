using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Api.Security;

/// <summary>
/// This process's copy of the cluster's access-token deny list: <see cref="IsRevoked"/> answers
/// from memory on every request, a background loop asks <see cref="ITokenRevocationGrain"/> for
/// news every <c>Security:RevocationPollInterval</c>, and a process that has just revoked a token
/// calls <see cref="RefreshAsync"/> so its own next request already sees it.
/// </summary>
public sealed partial class RevocationCache(
    IGrainFactory grains,
    IOptions<RevocationCacheOptions> options,
    TimeProvider time,
    ILogger<RevocationCache> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private long _version;
    private bool _failing;

    /// <summary>The revocation version this copy is up to date with.</summary>
    public long Version => Interlocked.Read(ref _version);

    public bool IsRevoked(string jti) => _revoked.TryGetValue(jti, out var expiresAt) && expiresAt > time.GetUtcNow();

    /// <summary>Fetches what was revoked since the last look (one grain call; concurrent callers share the lock).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var list = grains.GetGrain<ITokenRevocationGrain>(0);
            var page = await list.GetSinceAsync(Version).ConfigureAwait(false);
            if (page.Version < Version)
            {
                // The list was reset behind us (storage wiped): start over from its full contents.
                _revoked.Clear();
                page = await list.GetSinceAsync(0).ConfigureAwait(false);
            }

            foreach (var token in page.Entries)
            {
                _revoked.AddOrUpdate(token.Jti, token.ExpiresAt, (_, known) => known > token.ExpiresAt ? known : token.ExpiresAt);
            }

            var now = time.GetUtcNow();
            foreach (var (jti, expiresAt) in _revoked)
            {
                if (expiresAt <= now)
                {
                    _revoked.TryRemove(new KeyValuePair<string, DateTimeOffset>(jti, expiresAt));
                }
            }

            Interlocked.Exchange(ref _version, page.Version);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public override void Dispose()
    {
        _refreshing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval, time);
        try
        {
            do
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RefreshAsync(stoppingToken).ConfigureAwait(false);
            if (_failing)
            {
                _failing = false;
                LogRecovered(Version);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The cluster may be starting or briefly unreachable: keep the last copy and try again next tick.
            if (!_failing)
            {
                _failing = true;
                LogPollFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation list poll failed; revocations keep the last known copy until it recovers")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revocation list poll recovered at version {Version}")]
    private partial void LogRecovered(long version);
}

public static class RevocationCacheExtensions
{
    /// <summary>
    /// The in-memory copy of the access-token deny list and its poll loop; only the API checks
    /// access tokens, so only the API registers it.
    /// </summary>
    public static IServiceCollection AddRevocationCache(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(RevocationCache)))
        {
            services.AddOptions<RevocationCacheOptions>()
                .BindConfiguration(RevocationCacheOptions.Section)
                .Validate(o => o.RevocationPollInterval > TimeSpan.Zero, $"{RevocationCacheOptions.Section}:RevocationPollInterval must be positive.")
                .ValidateOnStart();
            services.AddSingleton<RevocationCache>();
            services.AddHostedService(sp => sp.GetRequiredService<RevocationCache>());
        }

        return services;
    }
}
