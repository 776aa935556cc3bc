using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// Exported through prometheus-net as <c>orleansagents_consensus_*</c>: <c>rounds{aggregation,outcome}</c>
/// (rounds finished), <c>round_duration_seconds{aggregation}</c> and <c>agreement_ratio{aggregation}</c>
/// (histograms, decided rounds only for the ratio).
/// </summary>
public sealed class ConsensusMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Consensus";

    private static readonly ConsensusStatus[] Outcomes = [ConsensusStatus.Decided, ConsensusStatus.NoQuorum];

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _agreement;
    private readonly ConcurrentDictionary<(string Aggregation, string Outcome), long> _rounds = new();

    public ConsensusMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        foreach (var aggregation in Enum.GetValues<ConsensusAggregation>())
        {
            foreach (var status in Outcomes)
            {
                _rounds[(Label(aggregation), Label(status))] = 0;
            }
        }

        _meter.CreateObservableCounter("rounds", () => _rounds.Select(r => new Measurement<long>(r.Value,
            new KeyValuePair<string, object?>("aggregation", r.Key.Aggregation), new KeyValuePair<string, object?>("outcome", r.Key.Outcome))),
            "{round}", "Consensus rounds finished on this silo, by aggregation and outcome.");
        _duration = _meter.CreateHistogram<double>("round_duration_seconds", "s", "Consensus rounds from start to finish, by aggregation.");
        _agreement = _meter.CreateHistogram<double>("agreement_ratio", null, "Share of answers equal to the chosen one in decided rounds, by aggregation.");
    }

    public static string Label(ConsensusAggregation aggregation) => aggregation switch
    {
        ConsensusAggregation.TrustWeighted => "trust-weighted",
        ConsensusAggregation.BestScore => "best-score",
        _ => "majority",
    };

    public static string Label(ConsensusStatus status) => status switch
    {
        ConsensusStatus.Decided => "decided",
        ConsensusStatus.NoQuorum => "no-quorum",
        _ => "running",
    };

    public void Finished(ConsensusAggregation aggregation, ConsensusStatus status, TimeSpan duration, double? agreement)
    {
        var label = Label(aggregation);
        _rounds.AddOrUpdate((label, Label(status)), 1, (_, n) => n + 1);
        _duration.Record(Math.Max(0, duration.TotalSeconds), new KeyValuePair<string, object?>("aggregation", label));
        if (agreement is { } ratio)
        {
            _agreement.Record(ratio, new KeyValuePair<string, object?>("aggregation", label));
        }
    }

    public void Dispose() => _meter.Dispose();
}
