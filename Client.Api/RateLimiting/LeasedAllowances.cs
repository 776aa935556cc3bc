using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Hosting;

namespace OrleansAgents.Api.RateLimiting;

/// <summary>
/// This API process's leased allowances, one per user, and the sweeper that hands expired
/// remainders back to the bucket grains (and everything on shutdown), so a user who moves to
/// another API instance is not held back by units parked here.
/// </summary>
public sealed partial class LeasedAllowances(
    IGrainFactory grains, IOptions<ApiRateLimitOptions> options, ApiSettings settings, TimeProvider time, ILogger<LeasedAllowances> logger)
    : BackgroundService
{
    /// <summary>Returns in flight at once: bounded, so a sweep over many users never floods the silos.</summary>
    private const int SweepBatch = 64;

    private readonly ConcurrentDictionary<string, LeasedAllowance> _all = new(StringComparer.Ordinal);

    /// <summary>Units one lease asks for; 0 when leasing is off (every request asks the grain).</summary>
    public int LeaseUnits { get; } = options.Value.LeaseUnits ?? (settings.EffectiveMode == ClusterMode.Client ? ApiRateLimitOptions.ClientModeLeaseUnits : 0);

    public bool Enabled => LeaseUnits > 0;

    private TimeSpan Ttl => options.Value.LeaseTtl;

    public LeasedAllowance For(string key) =>
        _all.GetOrAdd(key, k => new LeasedAllowance(grains.GetGrain<IRateLimitBucketGrain>(k), LeaseUnits, Ttl, time));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Ttl, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(evenIfLive: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await SweepAsync(evenIfLive: true);
    }

    private async Task SweepAsync(bool evenIfLive)
    {
        // Forgetting a quiet user costs one lease later; holding every user ever seen would grow without bound.
        // A request racing the removal may lease into the forgotten allowance: those units expire
        // unused there, which under-admits that user by at most LeaseUnits, never over-admits.
        var forgetAfter = Ttl * 30;
        foreach (var batch in _all.Chunk(SweepBatch))
        {
            await Task.WhenAll(batch.Select(entry => ReturnAsync(entry.Key, entry.Value, evenIfLive)));
            foreach (var (key, allowance) in batch)
            {
                if (allowance.IdleFor > forgetAfter && allowance.Held == 0)
                {
                    _all.TryRemove(KeyValuePair.Create(key, allowance));
                }
            }
        }
    }

    private async Task ReturnAsync(string key, LeasedAllowance allowance, bool evenIfLive)
    {
        try
        {
            await allowance.ReturnUnusedAsync(evenIfLive);
        }
        catch (Exception ex) when (ex is Orleans.Runtime.OrleansException or TimeoutException or InvalidOperationException)
        {
            LogReturnFailed(ex, key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not return leased rate-limit units of {BucketKey}; that user is under-admitted until the units refill.")]
    private partial void LogReturnFailed(Exception exception, string bucketKey);
}
