namespace OrleansAgents.Grains.Agents;

/// <summary>
/// Status is derived, never stored: retired wins, then a stale heartbeat (unhealthy), then
/// "busy" when the agent reports as many active tasks as it may run.
/// </summary>
internal static class AgentStatusRules
{
    public static AgentStatus Derive(bool retired, bool atCapacity, DateTimeOffset lastHeartbeat, DateTimeOffset now, TimeSpan timeout) =>
        retired ? AgentStatus.Retired
        : now - lastHeartbeat > timeout ? AgentStatus.Unhealthy
        : atCapacity ? AgentStatus.Busy
        : AgentStatus.Idle;
}
