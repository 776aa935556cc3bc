using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// The authority for one breaker. Outcomes arrive in batches from every process's local view;
/// transitions are stored, then pushed to every subscribed view.
/// </summary>
public sealed partial class CircuitBreakerGrain(
    [PersistentState("breaker", StorageNames.Breakers)] IPersistentState<CircuitBreakerState> state,
    IOptions<CircuitBreakerOptions> options,
    BreakerMetrics metrics,
    TimeProvider time,
    ILogger<CircuitBreakerGrain> logger) : Grain, ICircuitBreakerGrain
{
    private readonly RollingWindow _window = new();
    private readonly ObserverManager<IBreakerObserver> _observers = new(TimeSpan.FromMinutes(1), logger);
    private BreakerSettings _settings = null!;
    // Grant times of probes not yet reported. A probe whose caller died never reports, so a grant
    // older than one break duration is taken back; otherwise the breaker would stay half-open forever.
    private readonly List<DateTimeOffset> _probes = [];
    private IGrainTimer? _halfOpenTimer;

    private CircuitBreakerState S => state.State;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!BreakerRules.IsValidName(Name))
        {
            throw new DomainException(ErrorCodes.BreakerInvalidName, $"Breaker names must match {BreakerRules.NamePattern}.");
        }

        _settings = options.Value.For(Name);
        if (!S.Registered)
        {
            await GrainFactory.GetGrain<IBreakerRegistryGrain>(0).AddAsync(Name);
            S.Registered = true;
            await state.SaveOrDeactivateAsync(this);
        }

        ScheduleHalfOpen();
        metrics.PublishState(Name, S.State);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.WithdrawState(Name);
        return Task.CompletedTask;
    }

    public ValueTask<BreakerView> GetAsync()
    {
        var (throughput, ratio) = _window.Measure(time.GetUtcNow(), _settings.SamplingDuration);
        return ValueTask.FromResult(new BreakerView(Name, S.State, RetryAt, S.Successes, S.Failures, S.Rejections,
            throughput, ratio, S.ConsecutiveBreaks, _settings.ToView(), S.Transitions.ToArray()));
    }

    public async ValueTask<BreakerSnapshot> ReportAsync(BreakerOutcomes outcomes)
    {
        S.Successes += outcomes.Successes;
        S.Failures += outcomes.Failures;
        S.Rejections += outcomes.Rejections;
        if (S.State == BreakerState.Closed && outcomes.Successes + outcomes.Failures > 0)
        {
            var now = time.GetUtcNow();
            _window.Add(now, _settings.SamplingDuration, outcomes.Successes, outcomes.Failures);
            var (throughput, ratio) = _window.Measure(now, _settings.SamplingDuration);
            if (throughput >= _settings.MinimumThroughput && ratio >= _settings.FailureRatio)
            {
                await BreakAsync($"failure ratio {ratio:P0} over {throughput} calls in {_settings.SamplingDuration.TotalSeconds:0.#} s");
            }
        }

        return Snapshot();
    }

    public async ValueTask<bool> TryAcquireProbeAsync()
    {
        if (S.State == BreakerState.Open && time.GetUtcNow() >= S.OpenUntil)
        {
            MoveTo(BreakerState.HalfOpen, "break duration elapsed");
            await SaveAndNotifyAsync();
        }

        var now = time.GetUtcNow();
        _probes.RemoveAll(granted => now - granted >= _settings.BreakDuration);
        if (S.State != BreakerState.HalfOpen || _probes.Count >= _settings.HalfOpenProbes)
        {
            return false;
        }

        _probes.Add(now);
        return true;
    }

    public async ValueTask<BreakerSnapshot> ReportProbeAsync(bool succeeded)
    {
        if (_probes.Count > 0)
        {
            _probes.RemoveAt(0);
        }

        S.Successes += succeeded ? 1 : 0;
        S.Failures += succeeded ? 0 : 1;
        if (S.State == BreakerState.HalfOpen)
        {
            if (succeeded)
            {
                S.ConsecutiveBreaks = 0;
                _window.Clear();
                MoveTo(BreakerState.Closed, "half-open probe succeeded");
                await SaveAndNotifyAsync();
            }
            else
            {
                await BreakAsync("half-open probe failed");
            }
        }

        return Snapshot();
    }

    public async Task<BreakerView> IsolateAsync(string reason)
    {
        if (S.State != BreakerState.Isolated)
        {
            S.OpenUntil = null;
            MoveTo(BreakerState.Isolated, "isolated by hand: " + reason);
            await SaveAndNotifyAsync();
        }

        return await GetAsync();
    }

    public async Task<BreakerView> CloseAsync(string reason)
    {
        if (S.State != BreakerState.Closed)
        {
            S.OpenUntil = null;
            S.ConsecutiveBreaks = 0;
            _probes.Clear();
            _window.Clear();
            MoveTo(BreakerState.Closed, "closed by hand: " + reason);
            await SaveAndNotifyAsync();
        }

        return await GetAsync();
    }

    public Task SubscribeAsync(IBreakerObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    private DateTimeOffset? RetryAt => S.State == BreakerState.Open ? S.OpenUntil : null;

    private BreakerSnapshot Snapshot() => new(Name, S.State, RetryAt, S.Version);

    private async Task BreakAsync(string reason)
    {
        var growth = Math.Pow(_settings.BreakDurationGrowth, S.ConsecutiveBreaks);
        var duration = TimeSpan.FromTicks((long)Math.Min(_settings.BreakDuration.Ticks * growth, _settings.MaxBreakDuration.Ticks));
        S.ConsecutiveBreaks++;
        S.OpenUntil = time.GetUtcNow() + duration;
        _probes.Clear();
        MoveTo(BreakerState.Open, $"{reason}; open for {duration.TotalSeconds:0.###} s");
        ScheduleHalfOpen();
        await SaveAndNotifyAsync();
    }

    /// <summary>Moves Open to HalfOpen when the break ends, so views and the gauge see it without a call.</summary>
    private void ScheduleHalfOpen()
    {
        _halfOpenTimer?.Dispose();
        _halfOpenTimer = null;
        if (S.State == BreakerState.Open && S.OpenUntil is { } until)
        {
            var due = until - time.GetUtcNow();
            _halfOpenTimer = this.RegisterGrainTimer(async _ =>
            {
                if (S.State == BreakerState.Open && time.GetUtcNow() >= S.OpenUntil)
                {
                    MoveTo(BreakerState.HalfOpen, "break duration elapsed");
                    await SaveAndNotifyAsync();
                }
            }, new GrainTimerCreationOptions { DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due, Period = Timeout.InfiniteTimeSpan });
        }
    }

    private void MoveTo(BreakerState to, string reason)
    {
        var transition = new BreakerTransition(time.GetUtcNow(), S.State, to, reason);
        S.Transitions.Add(transition);
        var excess = S.Transitions.Count - options.Value.HistorySize;
        if (excess > 0)
        {
            S.Transitions.RemoveRange(0, excess);
        }

        S.State = to;
        S.Version++;
        metrics.Transitioned(Name, to);
        metrics.PublishState(Name, to);
        LogTransition(Name, transition.From, to, reason);
    }

    private async Task SaveAndNotifyAsync()
    {
        await state.SaveOrDeactivateAsync(this);
        var snapshot = Snapshot();
        _observers.Notify(o => o.OnChanged(snapshot));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit breaker {Breaker} {From} -> {To}: {Reason}")]
    private partial void LogTransition(string breaker, BreakerState from, BreakerState to, string reason);
}
