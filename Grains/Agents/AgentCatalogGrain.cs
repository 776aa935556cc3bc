using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace OrleansAgents.Grains.Agents;

/// <summary>
/// The read side of the registry. Stateless, so every silo runs local copies and no single
/// activation sits in the path of every list call.
/// </summary>
[StatelessWorker]
public sealed class AgentCatalogGrain(IOptions<AgentRegistryOptions> options, TimeProvider time)
    : Grain, IAgentCatalogGrain
{
    private readonly AgentRegistryOptions _options = options.Value;

    public async Task<AgentPage> ListAsync(AgentQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, AgentRules.MaxPageSize);
        var items = new List<AgentView>(limit);
        var after = query.After;
        var scanned = 0;
        while (items.Count < limit && scanned < _options.ListScanBudget)
        {
            // Read a little more than needed when filtering, so a sparse status costs fewer rounds.
            var batchSize = query.Status is null ? limit - items.Count : limit;
            var page = await NextIdsAsync(query.Capability, after, batchSize);
            if (page.Ids.Count == 0)
            {
                return new AgentPage(items, null);
            }

            var views = await Task.WhenAll(page.Ids.Select(id => GrainFactory.GetGrain<IAgentGrain>(id).GetAsync().AsTask()));
            for (var i = 0; i < views.Length; i++)
            {
                after = page.Ids[i];
                scanned++;
                var view = views[i];
                if (view is null || (query.Status is not null && view.Status != query.Status))
                {
                    continue;
                }

                items.Add(view);
                if (items.Count == limit)
                {
                    var more = i < views.Length - 1 || page.HasMore;
                    return new AgentPage(items, more ? after : null);
                }
            }

            if (!page.HasMore)
            {
                return new AgentPage(items, null);
            }
        }

        // The scan budget ran out before the page filled: the cursor lets the caller go on.
        return new AgentPage(items, after);
    }

    public async Task<AgentStatusCounts> CountByStatusAsync()
    {
        var now = time.GetUtcNow();
        var counts = await Task.WhenAll(Enumerable.Range(0, AgentRules.DirectoryShards)
            .Select(s => GrainFactory.GetGrain<IAgentDirectoryShardGrain>(s).CountAsync(now, _options.HeartbeatTimeout).AsTask()));
        return new AgentStatusCounts(counts.Sum(c => c.Idle), counts.Sum(c => c.Busy), counts.Sum(c => c.Unhealthy), counts.Sum(c => c.Retired));
    }

    /// <summary>The next ids after <paramref name="after"/>, from one capability index or merged over all shards.</summary>
    private async Task<AgentIdPage> NextIdsAsync(string? capability, string? after, int limit)
    {
        if (capability is not null)
        {
            return await GrainFactory.GetGrain<ICapabilityIndexGrain>(capability).ListAsync(after, limit);
        }

        var pages = await Task.WhenAll(Enumerable.Range(0, AgentRules.DirectoryShards)
            .Select(s => GrainFactory.GetGrain<IAgentDirectoryShardGrain>(s).ListAsync(after, limit).AsTask()));
        var merged = pages.SelectMany(p => p.Ids).Order(StringComparer.Ordinal).ToList();
        var hasMore = merged.Count > limit || pages.Any(p => p.HasMore);
        return new AgentIdPage(merged.Take(limit).ToList(), hasMore);
    }
}
