namespace OrleansAgents.Agents;

/// <summary>Stateless read side: pages over the indexes and counts agents by status.</summary>
[Alias("OrleansAgents.IAgentCatalogGrain")]
public interface IAgentCatalogGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<AgentPage> ListAsync(AgentQuery query);

    [Alias("CountByStatus")]
    Task<AgentStatusCounts> CountByStatusAsync();
}
