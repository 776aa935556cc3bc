namespace OrleansAgents.Agents;

/// <summary>
/// Which agents offer one capability (key: capability name). The directory is sharded by
/// capability, so no grain sees every call.
/// </summary>
[Alias("OrleansAgents.ICapabilityIndexGrain")]
public interface ICapabilityIndexGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string agentId);

    [Alias("Remove")]
    Task RemoveAsync(string agentId);

    /// <summary>Agent ids strictly after <paramref name="after"/>, ordinal order.</summary>
    [Alias("List")]
    ValueTask<AgentIdPage> ListAsync(string? after, int limit);
}
