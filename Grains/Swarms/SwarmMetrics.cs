using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// Exported through prometheus-net as <c>orleansagents_swarms_*</c>:
/// <c>optimizations_started{function}</c>, <c>optimizations_finished{function,outcome}</c>,
/// <c>evaluations{function}</c> (objective evaluations, batches on this silo) and
/// <c>iteration_duration_seconds{function}</c> (one synchronous fan-out, coordinator side).
/// A skill objective is labelled <c>skill</c>. Counters of the built-in functions exist from the start at 0.
/// </summary>
public sealed class SwarmMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Swarms";
    public const string SkillLabel = "skill";

    private static readonly string[] Outcomes = ["completed", "cancelled", "failed"];

    private readonly Meter _meter;
    private readonly Histogram<double> _iteration;
    private readonly ConcurrentDictionary<string, long> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Function, string Outcome), long> _finished = new();
    private readonly ConcurrentDictionary<string, long> _evaluations = new(StringComparer.Ordinal);

    public SwarmMetrics(IMeterFactory meterFactory)
    {
        foreach (var function in SwarmRules.Functions.Append(SkillLabel))
        {
            _started[function] = 0;
            _evaluations[function] = 0;
            foreach (var outcome in Outcomes)
            {
                _finished[(function, outcome)] = 0;
            }
        }

        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("optimizations_started", () => _started.Select(e =>
            new Measurement<long>(e.Value, new KeyValuePair<string, object?>("function", e.Key))),
            "{optimization}", "Optimisations started, by function.");
        _meter.CreateObservableCounter("optimizations_finished", () => _finished.Select(e =>
            new Measurement<long>(e.Value, new KeyValuePair<string, object?>("function", e.Key.Function), new KeyValuePair<string, object?>("outcome", e.Key.Outcome))),
            "{optimization}", "Optimisations finished, by function and outcome.");
        _meter.CreateObservableCounter("evaluations", () => _evaluations.Select(e =>
            new Measurement<long>(e.Value, new KeyValuePair<string, object?>("function", e.Key))),
            "{evaluation}", "Objective evaluations, by function.");
        _iteration = _meter.CreateHistogram<double>("iteration_duration_seconds", "s", "Duration of one synchronous iteration (fan-out to every batch), by function.");
    }

    public static string Label(OptimizationSpec spec) => spec.Function ?? SkillLabel;

    public void Started(OptimizationSpec spec) => _started.AddOrUpdate(Label(spec), 1, (_, n) => n + 1);

    public void Finished(OptimizationSpec spec, OptimizationStatus outcome) =>
        _finished.AddOrUpdate((Label(spec), outcome.ToString().ToLowerInvariant()), 1, (_, n) => n + 1);

    public void Evaluated(OptimizationSpec spec, int count) => _evaluations.AddOrUpdate(Label(spec), count, (_, n) => n + count);

    public void Iteration(OptimizationSpec spec, TimeSpan duration) =>
        _iteration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("function", Label(spec)));

    public void Dispose() => _meter.Dispose();
}
