using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

[GenerateSerializer, Alias("OrleansAgents.Swarms.OptimizationIndexState.v1")]
public sealed class OptimizationIndexState
{
    /// <summary>Oldest first.</summary>
    [Id(0)] public List<OptimizationSummary> Items { get; set; } = [];
}

/// <summary>
/// The optimisation list. Written only when a run starts or finishes, so one grain is enough;
/// the oldest entries beyond <see cref="SwarmOptions.ListRetention"/> are dropped.
/// </summary>
public sealed class OptimizationIndexGrain(
    [PersistentState("optimization-index", StorageNames.Collective)] IPersistentState<OptimizationIndexState> state,
    IOptions<SwarmOptions> options) : Grain, IOptimizationIndexGrain
{
    public async Task UpsertAsync(OptimizationSummary summary)
    {
        var items = state.State.Items;
        var at = items.FindIndex(i => i.Id == summary.Id);
        if (at >= 0)
        {
            items[at] = summary;
        }
        else
        {
            items.Add(summary);
            if (items.Count > options.Value.ListRetention)
            {
                items.RemoveRange(0, items.Count - options.Value.ListRetention);
            }
        }

        await state.SaveOrDeactivateAsync(this);
    }

    public ValueTask<OptimizationPage> ListAsync(int limit, string? after)
    {
        var items = state.State.Items;
        var start = items.Count - 1;
        if (after is not null)
        {
            var at = items.FindIndex(i => i.Id == after);
            start = at >= 0 ? at - 1
                : throw new DomainException(ErrorCodes.InvalidCursor, "cursor is not an optimisation of this list (it may have been dropped); start again without it.");
        }

        var page = new List<OptimizationSummary>();
        for (var i = start; i >= 0 && page.Count < limit; i--)
        {
            page.Add(items[i]);
        }

        var next = page.Count == limit && start - limit >= 0 ? page[^1].Id : null;
        return ValueTask.FromResult(new OptimizationPage(page, next));
    }
}
