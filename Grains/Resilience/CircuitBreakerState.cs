namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// Written on every transition and manual action (never per outcome), so isolation, history and
/// totals survive a restart; the rolling window does not. Never renumber an [Id].
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.CircuitBreakerState.v1")]
public sealed class CircuitBreakerState
{
    [Id(0)] public BreakerState State { get; set; }
    [Id(1)] public DateTimeOffset? OpenUntil { get; set; }
    [Id(2)] public int ConsecutiveBreaks { get; set; }
    [Id(3)] public long Successes { get; set; }
    [Id(4)] public long Failures { get; set; }
    [Id(5)] public long Rejections { get; set; }
    [Id(6)] public List<BreakerTransition> Transitions { get; set; } = [];
    [Id(7)] public long Version { get; set; }
    [Id(8)] public bool Registered { get; set; }
}
