using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Agents;

[GenerateSerializer, Alias("OrleansAgents.CapabilityIndexState.v1")]
public sealed class CapabilityIndexState
{
    /// <summary>Agent ids in ordinal order.</summary>
    [Id(0)] public List<string> AgentIds { get; set; } = [];
}

public sealed class CapabilityIndexGrain(
    [PersistentState("capability", StorageNames.Agents)] IPersistentState<CapabilityIndexState> state)
    : Grain, ICapabilityIndexGrain
{
    public async Task AddAsync(string agentId)
    {
        if (SortedIds.Insert(state.State.AgentIds, agentId))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public async Task RemoveAsync(string agentId)
    {
        if (SortedIds.Remove(state.State.AgentIds, agentId))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<AgentIdPage> ListAsync(string? after, int limit) =>
        ValueTask.FromResult(SortedIds.Page(state.State.AgentIds, after, limit));
}
