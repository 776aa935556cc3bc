using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// The task log of versions before it became rows of its own (<see cref="ITaskLog"/>): one blob of
/// up to <see cref="TaskOptions.LogRetention"/> summaries per agent, rewritten whole on every change
/// (~50-60 KiB of PostgreSQL WAL per task under load). Read only to hand it over.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.AgentTaskLogState.v1")]
public sealed class AgentTaskLogState
{
    [Id(0)] public Dictionary<string, TaskSummary> Tasks { get; set; } = [];
}

/// <summary>
/// An agent's tasks, for clients (the API in client mode has no access to the silo's
/// <see cref="ITaskLog"/>). Task grains write the log directly; this grain lists it, and on
/// activation hands a log stored by an earlier version over to the read model, then clears it.
/// </summary>
public sealed class AgentTaskLogGrain(
    [PersistentState("tasklog", StorageNames.Tasks)] IPersistentState<AgentTaskLogState> legacy,
    ITaskLog log) : Grain, IAgentTaskLogGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (legacy.State.Tasks.Count > 0)
        {
            // Upserts are version-guarded, so a summary written since by a task is never replaced
            // by its older copy here; a crash before the clear only repeats the hand-over.
            await Task.WhenAll(legacy.State.Tasks.Values.Select(t => log.UpsertAsync(t, cancellationToken)));
            await legacy.ClearStateAsync(cancellationToken);
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <summary>Kept for task grains of the previous version during a rolling upgrade.</summary>
    public Task UpsertAsync(TaskSummary summary) => log.UpsertAsync(summary);

    public async ValueTask<TaskSummaryPage> ListAsync(TaskState? filter, int limit, string? after) =>
        await log.ListAsync(this.GetPrimaryKeyString(), filter, limit, after);
}
