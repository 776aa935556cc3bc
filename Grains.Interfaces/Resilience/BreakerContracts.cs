namespace OrleansAgents.Resilience;

/// <summary>Numeric values are the metric's values: 0 closed, 1 half-open, 2 open, 3 isolated.</summary>
[GenerateSerializer, Alias("OrleansAgents.BreakerState")]
public enum BreakerState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
    Isolated = 3,
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.BreakerTransition")]
public sealed record class BreakerTransition(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] BreakerState From,
    [property: Id(2)] BreakerState To,
    [property: Id(3)] string Reason);

/// <summary>What every silo's local view needs to decide without a grain call.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.BreakerSnapshot")]
public sealed record class BreakerSnapshot(
    [property: Id(0)] string Name,
    [property: Id(1)] BreakerState State,
    [property: Id(2)] DateTimeOffset? RetryAt,
    [property: Id(3)] long Version);

/// <summary>Outcomes one process saw since its last report.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.BreakerOutcomes")]
public sealed record class BreakerOutcomes(
    [property: Id(0)] int Successes,
    [property: Id(1)] int Failures,
    [property: Id(2)] int Rejections);

[GenerateSerializer, Immutable, Alias("OrleansAgents.BreakerSettingsView")]
public sealed record class BreakerSettingsView(
    [property: Id(0)] double FailureRatio,
    [property: Id(1)] TimeSpan SamplingDuration,
    [property: Id(2)] int MinimumThroughput,
    [property: Id(3)] TimeSpan BreakDuration,
    [property: Id(4)] double BreakDurationGrowth,
    [property: Id(5)] TimeSpan MaxBreakDuration,
    [property: Id(6)] int HalfOpenProbes);

[GenerateSerializer, Immutable, Alias("OrleansAgents.BreakerView")]
public sealed record class BreakerView(
    [property: Id(0)] string Name,
    [property: Id(1)] BreakerState State,
    [property: Id(2)] DateTimeOffset? RetryAt,
    [property: Id(3)] long Successes,
    [property: Id(4)] long Failures,
    [property: Id(5)] long Rejections,
    [property: Id(6)] int WindowThroughput,
    [property: Id(7)] double WindowFailureRatio,
    [property: Id(8)] int ConsecutiveBreaks,
    [property: Id(9)] BreakerSettingsView Settings,
    [property: Id(10)] IReadOnlyList<BreakerTransition> Transitions);
