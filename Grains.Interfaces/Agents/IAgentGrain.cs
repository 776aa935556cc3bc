using OrleansAgents.Tasks;

namespace OrleansAgents.Agents;

/// <summary>One agent, keyed by its id (see <see cref="AgentRules.IdPattern"/>).</summary>
[Alias("OrleansAgents.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Registers the agent; fails with <c>agent.exists</c> if it is already registered.</summary>
    [Alias("Register")]
    Task<AgentView> RegisterAsync(AgentSpec spec);

    /// <summary>Returns the agent or null when it was never registered.</summary>
    [Alias("Get")]
    ValueTask<AgentView?> GetAsync();

    [Alias("Update")]
    Task<AgentView> UpdateAsync(AgentSpec spec);

    [Alias("Heartbeat")]
    Task<AgentView> HeartbeatAsync(AgentHeartbeat heartbeat);

    /// <summary>Retires the agent: it keeps its history but offers no capability any more.</summary>
    [Alias("Retire")]
    Task<AgentView> RetireAsync();

    /// <summary>
    /// Puts a task in this agent's queue. Fails when the agent is not live, may not run the
    /// skill, or its queue is full (503 with a retry hint) — unless <paramref name="recovering"/>,
    /// which a task uses to re-announce itself after a crash. Idempotent per task id.
    /// </summary>
    [Alias("EnqueueTask")]
    Task<AgentLoad> EnqueueTaskAsync(string taskId, TaskPriority priority, string skill, bool recovering);

    /// <summary>Takes a task out of the queue; false when it was not queued (running or unknown).</summary>
    [Alias("RemoveQueuedTask")]
    Task<bool> RemoveQueuedTaskAsync(string taskId);

    /// <summary>A running task has finished (or was cancelled) and its follow-ups are done: the agent lets go of it. Idempotent.</summary>
    [Alias("TaskFinished")]
    Task TaskFinishedAsync(string taskId);

    /// <summary>
    /// A running task is stored finished and its follow-ups run: its slot goes to the next task,
    /// but the agent still holds it (and its watchdog asks it) until <see cref="TaskFinishedAsync"/>.
    /// One-way: a lost call only keeps the slot until that one arrives. Idempotent.
    /// </summary>
    [Alias("TaskFinishing"), Orleans.Concurrency.OneWay]
    Task TaskFinishingAsync(string taskId);

    /// <summary>The queue's current figures; interleaves with everything (it only reads memory), so routing never waits behind a write.</summary>
    [Alias("Load"), Orleans.Concurrency.AlwaysInterleave]
    ValueTask<AgentLoad> GetLoadAsync();

    /// <summary>
    /// Called by the health sweep: marks the agent unhealthy if its last heartbeat is older than
    /// <paramref name="staleBefore"/>, so it receives no routed tasks until it heartbeats again.
    /// Returns true when the agent was marked.
    /// </summary>
    [Alias("MarkUnhealthyIfStale")]
    Task<bool> MarkUnhealthyIfStaleAsync(DateTimeOffset staleBefore);
}
