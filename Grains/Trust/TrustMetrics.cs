using System.Diagnostics.Metrics;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Exported through prometheus-net as <c>orleansagents_trust_*</c>:
/// <c>ratings{outcome}</c> (ratings recorded, duplicates excluded), <c>recomputes{outcome}</c>
/// (computations that succeeded or failed), and from the silo hosting each domain's coordinator the
/// last successful computation's <c>recompute_duration_seconds{domain}</c>, <c>iterations{domain}</c>,
/// <c>residual{domain}</c> and <c>peers{domain}</c>. Gauges rather than a histogram: one computation
/// every few minutes makes the last value the useful figure (and prometheus-net exports meter
/// histograms poorly; see SkillMetrics).
/// </summary>
public sealed class TrustMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Trust";

    private readonly Meter _meter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Iterations, double Residual, int Peers, double Seconds)> _last = new(StringComparer.Ordinal);
    private long _satisfied;
    private long _unsatisfied;
    private long _succeeded;
    private long _failed;

    public TrustMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("recomputes", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _succeeded), new KeyValuePair<string, object?>("outcome", "succeeded")),
            new Measurement<long>(Interlocked.Read(ref _failed), new KeyValuePair<string, object?>("outcome", "failed")),
        }, "{computation}", "Global trust computations run by coordinators on this silo, by outcome.");
        _meter.CreateObservableGauge("recompute_duration_seconds", () => Observe(l => l.Seconds), "s", "Duration of the last successful computation, from start to stored result, by domain.");
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
        if (succeeded)
        {
            Interlocked.Increment(ref _succeeded);
            _last[domain] = (iterations, residual, peers, duration.TotalSeconds);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<T>> Observe<T>(Func<(int Iterations, double Residual, int Peers, double Seconds), T> value)
        where T : struct =>
        _last.Select(l => new Measurement<T>(value(l.Value), new KeyValuePair<string, object?>("domain", l.Key)));
}
