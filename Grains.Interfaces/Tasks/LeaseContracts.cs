using Orleans.Concurrency;

namespace OrleansAgents.Tasks;

/// <summary>One task handed to an external worker, with the token that fences its reports.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskLeaseGrant")]
public sealed record class TaskLeaseGrant(
    [property: Id(0)] string TaskId,
    [property: Id(1)] string Skill,
    [property: Id(2)] string InputJson,
    [property: Id(3)] int Attempt,
    [property: Id(4)] string EffectKey,
    [property: Id(5)] DateTimeOffset Deadline,
    [property: Id(6)] string LeaseToken,
    [property: Id(7)] DateTimeOffset LeaseExpiresAt);

/// <summary>A renewed lease: its new expiry.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskLeaseRenewal")]
public sealed record class TaskLeaseRenewal(
    [property: Id(0)] string TaskId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] DateTimeOffset LeaseExpiresAt);

/// <summary>
/// The worker side of an external agent's queue (key: agent id; the same activation as <see cref="Agents.IAgentGrain"/>).
/// The agent only hands out task ids; the task grain grants and fences the lease, so the agent never waits on a task.
/// </summary>
[Alias("OrleansAgents.IAgentLeases")]
public interface IAgentLeases : IGrainWithStringKey
{
    /// <summary>
    /// Counts as the agent's heartbeat, then takes up to <paramref name="max"/> queued task ids (skill filter optional,
    /// free slots permitting) and marks them running. Fails for agents that are not external.
    /// </summary>
    [Alias("TakeForLease")]
    Task<IReadOnlyList<string>> TakeForLeaseAsync(int max, IReadOnlyList<string>? skills);

    /// <summary>Waits until a task is queued or a slot frees, at most <paramref name="maxWait"/> (bounded by the grain).</summary>
    [AlwaysInterleave, Alias("WaitForWork")]
    Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>A taken task goes back to the queue (lease lost, retry, skill mismatch): its slot frees. Idempotent.</summary>
    [Alias("ReturnToQueue")]
    Task ReturnToQueueAsync(string taskId, TaskPriority priority, string skill, bool atFront);
}

/// <summary>The lease side of a task (key: task id; the same activation as <see cref="ITaskGrain"/>).</summary>
[Alias("OrleansAgents.ITaskLeases")]
public interface ITaskLeases : IGrainWithStringKey
{
    /// <summary>Starts an attempt under a new lease, or null when the task cannot be leased now (finished, leased, retry delay).</summary>
    [Alias("Acquire")]
    Task<TaskLeaseGrant?> AcquireLeaseAsync(string agentId, IReadOnlyList<string>? skills, TimeSpan leaseDuration);

    /// <summary>Extends the lease; 409 <c>task.lease_lost</c> / <c>task.cancelled</c> for a stale token.</summary>
    [Alias("Renew")]
    Task<TaskLeaseRenewal> RenewLeaseAsync(string leaseToken, TimeSpan leaseDuration);

    [Alias("Complete")]
    Task<TaskView> CompleteLeaseAsync(string leaseToken, string resultJson);

    /// <summary>Ends the attempt in failure: a transient <paramref name="failure"/> is retried (after <paramref name="retryAfter"/> if given) while attempts last.</summary>
    [Alias("Fail")]
    Task<TaskView> FailLeaseAsync(string leaseToken, TaskError failure, TimeSpan? retryAfter);

    /// <summary>Adds a progress event (type progress) to the task's event log; the lease is renewed with it.</summary>
    [Alias("Progress")]
    Task<TaskLeaseRenewal> ReportProgressAsync(string leaseToken, string message, double? percent, TimeSpan leaseDuration);
}
