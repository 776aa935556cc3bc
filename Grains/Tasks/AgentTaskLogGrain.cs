using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

[GenerateSerializer, Alias("OrleansAgents.AgentTaskLogState.v1")]
public sealed class AgentTaskLogState
{
    [Id(0)] public Dictionary<string, TaskSummary> Tasks { get; set; } = [];
}

/// <summary>
/// An agent's tasks. Reentrant with group commit: updates that arrive while a write is in flight
/// share the next write, so a busy agent costs far fewer writes than task changes.
/// </summary>
[Reentrant]
public sealed class AgentTaskLogGrain(
    [PersistentState("tasklog", StorageNames.Tasks)] IPersistentState<AgentTaskLogState> state,
    IOptions<TaskOptions> options) : Grain, IAgentTaskLogGrain
{
    private GroupCommitWriter? _writer;

    public async Task UpsertAsync(TaskSummary summary)
    {
        var tasks = state.State.Tasks;
        if (tasks.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version)
        {
            return;
        }

        tasks[summary.Id] = summary;
        Trim(tasks, options.Value.LogRetention);
        await (_writer ??= state.GroupCommit(this)).SaveAsync();
    }

    public ValueTask<TaskSummaryPage> ListAsync(TaskState? filter, int limit, string? after)
    {
        var items = state.State.Tasks.Values.Where(t => filter is null || t.State == filter);
        return ValueTask.FromResult(TaskListing.Page(TaskListing.NewestFirst(items), limit, after));
    }

    /// <summary>Keeps every unfinished task and the newest <paramref name="retention"/> finished ones.</summary>
    private static void Trim(Dictionary<string, TaskSummary> tasks, int retention)
    {
        var finished = tasks.Values.Count(t => TaskRules.IsFinished(t.State));
        if (finished <= retention)
        {
            return;
        }

        foreach (var old in tasks.Values.Where(t => TaskRules.IsFinished(t.State)).OrderBy(t => t.UpdatedAt).Take(finished - retention).ToList())
        {
            tasks.Remove(old.Id);
        }
    }
}

