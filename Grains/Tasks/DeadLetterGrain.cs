using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

[GenerateSerializer, Alias("OrleansAgents.DeadLetterState.v1")]
public sealed class DeadLetterState
{
    [Id(0)] public Dictionary<string, TaskSummary> Tasks { get; set; } = [];
}

/// <summary>
/// The dead-letter list: tasks that used up their attempts on transient failures (or were lost
/// to silo crashes too often). Rare by nature, so one grain holds it, bounded by DeadLetterRetention.
/// </summary>
public sealed class DeadLetterGrain(
    [PersistentState("deadletters", StorageNames.Tasks)] IPersistentState<DeadLetterState> state,
    IOptions<TaskOptions> options,
    TaskMetrics metrics) : Grain, IDeadLetterGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        metrics.PublishDeadLetters(state.State.Tasks.Count);
        return Task.CompletedTask;
    }

    public async Task AddAsync(TaskSummary summary)
    {
        var tasks = state.State.Tasks;
        if (tasks.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version)
        {
            return;
        }

        tasks[summary.Id] = summary;
        var excess = tasks.Count - options.Value.DeadLetterRetention;
        foreach (var old in excess > 0 ? tasks.Values.OrderBy(t => t.UpdatedAt).Take(excess).ToList() : [])
        {
            tasks.Remove(old.Id);
        }

        await state.SaveOrDeactivateAsync(this);
        metrics.PublishDeadLetters(tasks.Count);
    }

    public async Task RemoveAsync(string taskId)
    {
        if (state.State.Tasks.Remove(taskId))
        {
            await state.SaveOrDeactivateAsync(this);
            metrics.PublishDeadLetters(state.State.Tasks.Count);
        }
    }

    public ValueTask<TaskSummaryPage> ListAsync(int limit, string? after) =>
        ValueTask.FromResult(TaskListing.Page(TaskListing.NewestFirst(state.State.Tasks.Values), limit, after));

    public ValueTask<int> CountAsync() => ValueTask.FromResult(state.State.Tasks.Count);
}
