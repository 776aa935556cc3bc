using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace OrleansAgents.Grains.RateLimiting;

/// <summary>
/// Exported as <c>orleansagents_ratelimiting_decisions{tier,outcome}</c> and
/// <c>orleansagents_ratelimiting_ai_tokens_charged{tier}</c> (monotonic counters per silo: sum over
/// silos and take rate()). Observable instruments over plain counters keep the decision path to
/// one interlocked add.
/// </summary>
public sealed class RateLimitMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.RateLimiting";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Tier, bool Allowed), StrongBox<long>> _decisions = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _tokens = new();

    public RateLimitMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("decisions", ObserveDecisions, "{decision}", "Rate-limit decisions by tier and outcome (allowed, rejected).");
        _meter.CreateObservableCounter("ai_tokens_charged", ObserveTokens, "{token}", "AI tokens charged against daily quotas, by tier.");
    }

    public void Decided(string tier, bool allowed) =>
        Interlocked.Increment(ref _decisions.GetOrAdd((tier, allowed), _ => new StrongBox<long>()).Value);

    public void AiTokensCharged(string tier, long tokens) =>
        Interlocked.Add(ref _tokens.GetOrAdd(tier, _ => new StrongBox<long>()).Value, tokens);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveDecisions() =>
        _decisions.Select(d => new Measurement<long>(Interlocked.Read(ref d.Value.Value),
            new KeyValuePair<string, object?>("tier", d.Key.Tier),
            new KeyValuePair<string, object?>("outcome", d.Key.Allowed ? "allowed" : "rejected")));

    private IEnumerable<Measurement<long>> ObserveTokens() =>
        _tokens.Select(t => new Measurement<long>(Interlocked.Read(ref t.Value.Value), new KeyValuePair<string, object?>("tier", t.Key)));
}
