namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Ranks the agents that could take a capability-routed task. The default prefers the least
/// loaded; register another implementation (e.g. trust-weighted) to change how work is spread.
/// Candidates are already filtered: live, healthy, allowed to run the skill, queue not full.
/// </summary>
public interface IAgentSelector
{
    ValueTask<IReadOnlyList<AgentLoad>> RankAsync(string capability, string skill, IReadOnlyList<AgentLoad> candidates);
}

/// <summary>Least loaded first: (running + queued) per slot, then fewer queued, then id.</summary>
public sealed class LeastLoadedAgentSelector : IAgentSelector
{
    public ValueTask<IReadOnlyList<AgentLoad>> RankAsync(string capability, string skill, IReadOnlyList<AgentLoad> candidates) =>
        ValueTask.FromResult<IReadOnlyList<AgentLoad>>(
        [
            .. candidates
                .OrderBy(c => (c.Running + c.Queued) / (double)Math.Max(1, c.MaxConcurrentTasks))
                .ThenBy(c => c.Queued)
                .ThenBy(c => c.AgentId, StringComparer.Ordinal),
        ]);
}
