using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Chooses agents for tasks sent to a capability (key). A stateless worker: every silo routes
/// locally, reading the capability index at most every RouteCacheDuration and the candidates'
/// loads from the silo's <see cref="AgentLoadBoard"/> (fresh within LoadCacheDuration).
/// </summary>
[StatelessWorker]
public sealed class TaskRouterGrain(IOptions<TaskOptions> options, SkillRegistry skills, IAgentSelector selector, AgentLoadBoard board, TimeProvider time)
    : Grain, ITaskRouterGrain
{
    private readonly TaskOptions _options = options.Value;
    private IReadOnlyList<string> _agentIds = [];
    private DateTimeOffset _agentIdsAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<string>> CandidatesAsync(string skill, int max)
    {
        var capability = this.GetPrimaryKeyString();
        var now = time.GetUtcNow();
        if (now - _agentIdsAt >= _options.RouteCacheDuration)
        {
            _agentIds = await ReadIndexAsync(capability);
            _agentIdsAt = now;
        }

        var loads = await board.LoadsAsync(_agentIds);
        var eligible = loads.Where(l => l.Accepting && l.Healthy && skills.IsAllowed(skill, l.Capabilities)).ToList();
        if (eligible.Count == 0)
        {
            return [];
        }

        // A degraded agent (its provider's breaker is open) gets work only when no healthy one can take it.
        if (eligible.Any(l => !l.Degraded))
        {
            eligible.RemoveAll(l => l.Degraded);
        }

        var ranked = await selector.RankAsync(capability, skill, eligible);
        return [.. ranked.Take(max).Select(l => l.AgentId)];
    }

    private async Task<IReadOnlyList<string>> ReadIndexAsync(string capability)
    {
        var index = GrainFactory.GetGrain<ICapabilityIndexGrain>(capability);
        var ids = new List<string>();
        string? after = null;
        while (ids.Count < _options.RouteScanBudget)
        {
            var page = await index.ListAsync(after, Math.Min(AgentRules.MaxPageSize, _options.RouteScanBudget - ids.Count));
            ids.AddRange(page.Ids);
            if (!page.HasMore || page.Ids.Count == 0)
            {
                break;
            }

            after = page.Ids[^1];
        }

        return ids;
    }
}
