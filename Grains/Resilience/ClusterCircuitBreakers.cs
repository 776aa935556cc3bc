using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// The per-process set of local breaker views. The grain pushes transitions (observer); a loop
/// reports batched outcomes every <see cref="CircuitBreakerOptions.ReportInterval"/> and re-reads
/// every breaker at least every <see cref="CircuitBreakerOptions.RefreshInterval"/>, so a lost push
/// still reaches every process within a second.
/// </summary>
public sealed partial class ClusterCircuitBreakers(
    IGrainFactory grains,
    IOptions<CircuitBreakerOptions> options,
    BreakerMetrics metrics,
    TimeProvider time,
    ILogger<ClusterCircuitBreakers> logger) : BackgroundService, IBreakerObserver
{
    private readonly ConcurrentDictionary<string, LocalBreaker> _breakers = new(StringComparer.Ordinal);
    private IBreakerObserver? _reference;

    public TimeProvider Time => time;

    public TimeSpan ReportInterval => options.Value.ReportInterval;

    public IEnumerable<LocalBreaker> Breakers => _breakers.Values;

    public LocalBreaker Get(string name)
    {
        if (!BreakerRules.IsValidName(name))
        {
            throw new ArgumentException($"Breaker names must match {BreakerRules.NamePattern}.", nameof(name));
        }

        return _breakers.GetOrAdd(name, static n => new LocalBreaker(n));
    }

    /// <summary>Reports what is pending for one breaker and applies the state the grain answers with.</summary>
    public async ValueTask<BreakerSnapshot> RefreshAsync(LocalBreaker breaker)
    {
        var grain = grains.GetGrain<ICircuitBreakerGrain>(breaker.Name);
        var snapshot = await grain.ReportAsync(breaker.TakePending());
        breaker.Apply(snapshot);
        return breaker.Snapshot;
    }

    public async ValueTask<bool> TryAcquireProbeAsync(LocalBreaker breaker) =>
        await grains.GetGrain<ICircuitBreakerGrain>(breaker.Name).TryAcquireProbeAsync();

    public async ValueTask ReportProbeAsync(LocalBreaker breaker, bool succeeded) =>
        breaker.Apply(await grains.GetGrain<ICircuitBreakerGrain>(breaker.Name).ReportProbeAsync(succeeded));

    public void OnChanged(BreakerSnapshot snapshot)
    {
        if (_breakers.TryGetValue(snapshot.Name, out var breaker))
        {
            breaker.Apply(snapshot);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.TrackLocalBreakers(() => _breakers.Values);
        var o = options.Value;
        // Counted in ticks of the report timer, not read from the clock, so a test clock that
        // stands still does not stop the refreshes.
        var refreshEvery = Math.Max(1, (int)Math.Ceiling(o.RefreshInterval / o.ReportInterval));
        var resubscribeEvery = Math.Max(1, (int)Math.Ceiling(TimeSpan.FromSeconds(20) / o.ReportInterval));
        using var timer = new PeriodicTimer(o.ReportInterval);
        for (long tick = 0; await timer.WaitForNextTickAsync(stoppingToken); tick++)
        {
            var refreshAll = tick % refreshEvery == 0;
            var resubscribe = tick % resubscribeEvery == 0;
            await Task.WhenAll(_breakers.Values.Select(b => ReportOneAsync(b, refreshAll, resubscribe)));
        }
    }

    private async Task ReportOneAsync(LocalBreaker breaker, bool refresh, bool resubscribe)
    {
        try
        {
            if (refresh || breaker.HasPending || breaker.Snapshot.Version < 0)
            {
                await RefreshAsync(breaker);
            }

            // Subscriptions expire in the grain after a minute; renew them well before.
            if (resubscribe || !breaker.Subscribed)
            {
                _reference ??= grains.CreateObjectReference<IBreakerObserver>(this);
                await grains.GetGrain<ICircuitBreakerGrain>(breaker.Name).SubscribeAsync(_reference);
                breaker.Subscribed = true;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The view keeps its last state; the next tick tries again.
            LogReportFailed(ex, breaker.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report to circuit breaker {Breaker}")]
    private partial void LogReportFailed(Exception exception, string breaker);
}
