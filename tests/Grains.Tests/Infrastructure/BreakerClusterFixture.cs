using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Resilience;

/// <summary>Small, fast breakers; "grow:dep" doubles its break on every consecutive break.</summary>
public sealed class BreakerClusterFixture : RegistryClusterFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["CircuitBreakers:Defaults:MinimumThroughput"] = "10",
        ["CircuitBreakers:Defaults:FailureRatio"] = "0.5",
        ["CircuitBreakers:Defaults:BreakDuration"] = "00:00:05",
        ["CircuitBreakers:Defaults:HalfOpenProbes"] = "1",
        ["CircuitBreakers:HistorySize"] = "5",
        ["CircuitBreakers:Overrides:0:Name"] = "grow:dep",
        ["CircuitBreakers:Overrides:0:BreakDurationGrowth"] = "2",
        ["CircuitBreakers:Overrides:0:MaxBreakDuration"] = "00:00:15",
    };
}
