using System.Diagnostics.Metrics;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Exported through prometheus-net as <c>orleansagents_trust_*</c>:
/// <c>recompute_duration_seconds{outcome}</c> (histogram), <c>ratings{outcome}</c> (ratings recorded,
/// duplicates excluded), and from the silo hosting each domain's coordinator the last computation's
/// <c>iterations{domain}</c>, <c>residual{domain}</c>, <c>peers{domain}</c>.
/// </summary>
public sealed class TrustMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Trust";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Iterations, double Residual, int Peers)> _last = new(StringComparer.Ordinal);
    private long _satisfied;
    private long _unsatisfied;

    public TrustMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _duration = _meter.CreateHistogram<double>("recompute_duration_seconds", "s", "Global trust computations, from start to stored result, by outcome.");
        _meter.CreateObservableCounter("ratings", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _satisfied), new KeyValuePair<string, object?>("outcome", "satisfied")),
            new Measurement<long>(Interlocked.Read(ref _unsatisfied), new KeyValuePair<string, object?>("outcome", "unsatisfied")),
        }, "{rating}", "Ratings recorded in local trust rows on this silo, by outcome.");
        _meter.CreateObservableGauge("iterations", () => Observe(l => l.Iterations), "{iteration}", "Iterations of the last computation, by domain.");
        _meter.CreateObservableGauge("residual", () => Observe(l => l.Residual), null, "L1 change of the last iteration of the last computation, by domain.");
        _meter.CreateObservableGauge("peers", () => Observe(l => l.Peers), "{peer}", "Peers in the last computation, by domain.");
    }

    public void Recorded(TrustOutcome outcome)
    {
        if (outcome == TrustOutcome.Satisfied)
        {
            Interlocked.Increment(ref _satisfied);
        }
        else
        {
            Interlocked.Increment(ref _unsatisfied);
        }
    }

    public void Computed(string domain, bool succeeded, TimeSpan duration, int iterations, double residual, int peers)
    {
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));
        if (succeeded)
        {
            _last[domain] = (iterations, residual, peers);
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<T>> Observe<T>(Func<(int Iterations, double Residual, int Peers), T> value)
        where T : struct =>
        _last.Select(l => new Measurement<T>(value(l.Value), new KeyValuePair<string, object?>("domain", l.Key)));
}
