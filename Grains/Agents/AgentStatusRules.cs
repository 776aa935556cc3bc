namespace OrleansAgents.Grains.Agents;

/// <summary>
/// Status is derived, never stored: retired wins, then a stale heartbeat (unhealthy; only agents
/// that need heartbeats, see <see cref="AgentKind"/>), then "busy" when the agent runs as many
/// tasks as it may.
/// </summary>
internal static class AgentStatusRules
{
    public static AgentStatus Derive(bool retired, bool atCapacity, bool needsHeartbeat, DateTimeOffset lastHeartbeat, DateTimeOffset now, TimeSpan timeout) =>
        retired ? AgentStatus.Retired
        : needsHeartbeat && now - lastHeartbeat > timeout ? AgentStatus.Unhealthy
        : atCapacity ? AgentStatus.Busy
        : AgentStatus.Idle;
}
