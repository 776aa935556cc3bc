using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// Exported as <c>orleansagents_resilience_breaker_state{breaker}</c> (0 closed, 1 half-open, 2 open,
/// 3 isolated; reported by the silo hosting the breaker, so take max by breaker),
/// <c>orleansagents_resilience_breaker_transitions{breaker,to}</c> and
/// <c>orleansagents_resilience_breaker_calls{breaker,outcome}</c> (success, failure, rejected; counted
/// by every process that guards calls: sum over processes).
/// </summary>
public sealed class BreakerMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Resilience";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, BreakerState> _states = new();
    private readonly ConcurrentDictionary<(string Breaker, BreakerState To), long> _transitions = new();
    private Func<IEnumerable<LocalBreaker>> _localBreakers = () => [];

    public BreakerMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("breaker_state", () => _states.Select(s =>
            new Measurement<int>((int)s.Value, new KeyValuePair<string, object?>("breaker", s.Key))),
            description: "Circuit breaker state: 0 closed, 1 half-open, 2 open, 3 isolated.");
        _meter.CreateObservableCounter("breaker_transitions", () => _transitions.Select(t =>
            new Measurement<long>(t.Value, new KeyValuePair<string, object?>("breaker", t.Key.Breaker), new KeyValuePair<string, object?>("to", Label(t.Key.To)))),
            "{transition}", "Circuit breaker transitions by target state.");
        _meter.CreateObservableCounter("breaker_calls", ObserveCalls, "{call}", "Calls guarded by a cluster circuit breaker, by outcome.");
    }

    public static string Label(BreakerState state) => state switch
    {
        BreakerState.HalfOpen => "half-open",
        _ => state.ToString().ToLowerInvariant(),
    };

    public void PublishState(string breaker, BreakerState state) => _states[breaker] = state;

    public void WithdrawState(string breaker) => _states.TryRemove(breaker, out _);

    public void Transitioned(string breaker, BreakerState to) => _transitions.AddOrUpdate((breaker, to), 1, (_, n) => n + 1);

    internal void TrackLocalBreakers(Func<IEnumerable<LocalBreaker>> source) => _localBreakers = source;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveCalls()
    {
        foreach (var breaker in _localBreakers())
        {
            var (successes, failures, rejections) = breaker.Totals;
            var name = new KeyValuePair<string, object?>("breaker", breaker.Name);
            yield return new(successes, name, new KeyValuePair<string, object?>("outcome", "success"));
            yield return new(failures, name, new KeyValuePair<string, object?>("outcome", "failure"));
            yield return new(rejections, name, new KeyValuePair<string, object?>("outcome", "rejected"));
        }
    }
}
