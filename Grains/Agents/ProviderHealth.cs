using OrleansAgents.Grains.Resilience;

namespace OrleansAgents.Grains.Agents;

/// <summary>
/// A hosted agent is as healthy as its provider: when the breaker <c>llm:{provider}</c> is open
/// (or isolated by hand) every model call of the agent would be refused, so the agent shows
/// <see cref="AgentStatus.Degraded"/> and routing prefers others. Read from this silo's local view
/// of the breaker (no grain call); the first read of a breaker here subscribes to it, and the
/// view follows the cluster's breaker within its refresh interval.
/// </summary>
internal static class ProviderHealth
{
    public const string BreakerPrefix = "llm:";

    /// <summary>Whether the agent's provider is down, and until when its breaker refuses calls (null: until closed by hand).</summary>
    public static (bool Degraded, DateTimeOffset? Until) Of(ClusterCircuitBreakers breakers, AgentModel? model)
    {
        if (model is null || !BreakerRules.IsValidName(BreakerPrefix + model.Provider))
        {
            return (false, null);
        }

        var snapshot = breakers.Get(BreakerPrefix + model.Provider).Snapshot;
        return snapshot.State is BreakerState.Open or BreakerState.Isolated ? (true, snapshot.RetryAt) : (false, null);
    }
}
