namespace OrleansAgents.Conversations;

/// <summary>
/// Which hosted agents delegated, in order, to reach one conversation (key: the conversation id).
/// Written once when a delegate conversation is created; read when that conversation delegates
/// further, to bound the depth and refuse cycles. A conversation nobody delegated to has none.
/// </summary>
[Alias("OrleansAgents.IDelegationLineageGrain")]
public interface IDelegationLineageGrain : IGrainWithStringKey
{
    /// <summary>The agent ids from the root conversation's agent to the delegating one (empty for a root).</summary>
    [Alias("Get")]
    ValueTask<IReadOnlyList<string>> GetAsync();

    /// <summary>Records the lineage; the same lineage again is a no-op (a retried delegation).</summary>
    [Alias("Set")]
    Task SetAsync(IReadOnlyList<string> chain);
}
