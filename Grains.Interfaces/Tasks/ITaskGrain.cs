using Orleans.Concurrency;

namespace OrleansAgents.Tasks;

/// <summary>
/// One task (key: task id, see <see cref="TaskRules.IdPattern"/>). It owns the task's record,
/// runs its attempts with the skill, and keeps a reminder while it is unfinished so that a silo
/// crash cannot lose it.
/// </summary>
[Alias("OrleansAgents.ITaskGrain")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates and enqueues the task. A repeat of an accepted submission returns the first task
    /// (<see cref="TaskAccepted.Existing"/>); a different submission under the same id is a conflict.
    /// Nothing is stored when the submission is rejected.
    /// </summary>
    [Alias("Submit")]
    Task<TaskAccepted> SubmitAsync(TaskSubmission submission);

    [Alias("Get")]
    ValueTask<TaskView?> GetAsync();

    /// <summary>Cancels a queued or running task; a finished task is returned unchanged.</summary>
    [Alias("Cancel")]
    Task<TaskView> CancelAsync();

    /// <summary>Puts a failed, dead-lettered or cancelled task back in its agent's queue with a fresh attempt budget.</summary>
    [Alias("Requeue")]
    Task<TaskView> RequeueAsync();

    /// <summary>
    /// The agent's dispatcher gives the task a slot. Idempotent; one-way so the agent never waits
    /// on a task. Kept for silos of the previous version; <see cref="StartAsync(string)"/> names the agent.
    /// </summary>
    [OneWay, Alias("Start")]
    Task StartAsync();

    /// <summary>
    /// Agent <paramref name="agentId"/> gives the task a slot. Idempotent; one-way. A task that
    /// does not exist or belongs to another agent gives the slot straight back (an entry the agent
    /// took before the task was stored, whose submission then failed or was resent elsewhere).
    /// </summary>
    [OneWay, Alias("StartFor")]
    Task StartAsync(string agentId);

    /// <summary>
    /// The watchdog of agent <paramref name="agentId"/>, which holds this task in a slot, asks it
    /// to make progress: run again what no silo runs any more, re-announce a lost start, finish
    /// the follow-ups after a crash, or give the slot back. Idempotent; one-way.
    /// </summary>
    [OneWay, Alias("Check")]
    Task CheckAsync(string agentId);

    /// <summary>
    /// Events after <paramref name="afterSequence"/>, waiting up to <paramref name="maxWait"/> for
    /// the first one. Interleaves with everything else so watchers never hold up the task. Ends
    /// early, with what is there, when <paramref name="cancellationToken"/> is cancelled (a
    /// watcher that left).
    /// </summary>
    [AlwaysInterleave, Alias("WaitForEvents")]
    Task<TaskEventBatch> WaitForEventsAsync(long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken = default);
}

/// <summary>The tasks one agent has had (key: agent id), newest first: unfinished ones and the latest <c>Tasks:LogRetention</c> finished ones.</summary>
[Alias("OrleansAgents.IAgentTaskLogGrain")]
public interface IAgentTaskLogGrain : IGrainWithStringKey
{
    /// <summary>Records the task's latest summary; an older version than the one held is ignored. Task grains of this version write the silo's task log directly.</summary>
    [Alias("Upsert")]
    Task UpsertAsync(TaskSummary summary);

    [Alias("List")]
    ValueTask<TaskSummaryPage> ListAsync(TaskState? filter, int limit, string? after);
}

/// <summary>The cluster's dead letters, newest first, bounded: key 0 lists and counts them all; keys 1..16 are the shards that hold them.</summary>
[Alias("OrleansAgents.IDeadLetterGrain")]
public interface IDeadLetterGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(TaskSummary summary);

    [Alias("Remove")]
    Task RemoveAsync(string taskId);

    [Alias("List")]
    ValueTask<TaskSummaryPage> ListAsync(int limit, string? after);

    [Alias("Count")]
    ValueTask<int> CountAsync();
}

/// <summary>Picks agents for capability-routed tasks (key: capability).</summary>
[Alias("OrleansAgents.ITaskRouterGrain")]
public interface ITaskRouterGrain : IGrainWithStringKey
{
    /// <summary>Candidates able to take a task with this skill now, best first (at most <paramref name="max"/>).</summary>
    [Alias("Candidates")]
    Task<IReadOnlyList<string>> CandidatesAsync(string skill, int max);
}

/// <summary>The skills the silos offer (stateless, any key 0).</summary>
[Alias("OrleansAgents.ISkillCatalogGrain")]
public interface ISkillCatalogGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    ValueTask<IReadOnlyList<SkillInfo>> ListAsync();
}
