using Orleans.Concurrency;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Agents;

[GenerateSerializer, Alias("OrleansAgents.CapabilityIndexState.v1")]
public sealed class CapabilityIndexState
{
    /// <summary>Agent ids in ordinal order.</summary>
    [Id(0)] public List<string> AgentIds { get; set; } = [];
}

/// <summary>
/// The ids of the agents offering one capability, stored as one sorted list. Reentrant with group
/// commit: registrations that arrive while a write is in flight share the next write, so a burst
/// of N registrations of one capability costs a few writes of the whole list instead of N (each
/// write grows with the list, so serial writes made registration slower the larger it got).
/// A caller's add or remove returns only once a write made after it is stored.
/// </summary>
[Reentrant]
public sealed class CapabilityIndexGrain(
    [PersistentState("capability", StorageNames.Agents)] IPersistentState<CapabilityIndexState> state)
    : Grain, ICapabilityIndexGrain
{
    private GroupCommitWriter? _writer;

    private GroupCommitWriter Writer => _writer ??= state.GroupCommit(this);

    public Task AddAsync(string agentId) =>
        SortedIds.Insert(state.State.AgentIds, agentId) ? Writer.SaveAsync() : Task.CompletedTask;

    public Task RemoveAsync(string agentId) =>
        SortedIds.Remove(state.State.AgentIds, agentId) ? Writer.SaveAsync() : Task.CompletedTask;

    public ValueTask<AgentIdPage> ListAsync(string? after, int limit) =>
        ValueTask.FromResult(SortedIds.Page(state.State.AgentIds, after, limit));
}
