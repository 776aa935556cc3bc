namespace OrleansAgents.Agents;

/// <summary>One agent, keyed by its id (see <see cref="AgentRules.IdPattern"/>).</summary>
[Alias("OrleansAgents.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Registers the agent; fails with <c>agent.exists</c> if it is already registered.</summary>
    [Alias("Register")]
    Task<AgentView> RegisterAsync(AgentSpec spec);

    /// <summary>Returns the agent or null when it was never registered.</summary>
    [Alias("Get")]
    ValueTask<AgentView?> GetAsync();

    [Alias("Update")]
    Task<AgentView> UpdateAsync(AgentSpec spec);

    [Alias("Heartbeat")]
    Task<AgentView> HeartbeatAsync(AgentHeartbeat heartbeat);

    /// <summary>Retires the agent: it keeps its history but offers no capability any more.</summary>
    [Alias("Retire")]
    Task<AgentView> RetireAsync();
}
