using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// A task's stored record (Orleans binary serializer: never renumber an [Id] or change the alias).
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.TaskRecord.v1")]
public sealed class TaskRecord
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string AgentId { get; set; } = "";
    [Id(2)] public string? Capability { get; set; }
    [Id(3)] public string Skill { get; set; } = "";
    [Id(4)] public string InputJson { get; set; } = "null";
    [Id(5)] public TaskPriority Priority { get; set; }
    [Id(6)] public TimeSpan Timeout { get; set; }
    [Id(7)] public TimeSpan HardTimeout { get; set; }
    [Id(8)] public int MaxAttempts { get; set; }
    [Id(9)] public string? IdempotencyKey { get; set; }
    [Id(10)] public string SubmittedBy { get; set; } = "";

    /// <summary>Hash of what was asked, to tell an idempotent repeat from a different request under the same key.</summary>
    [Id(11)] public string Fingerprint { get; set; } = "";
    [Id(12)] public TaskState State { get; set; }
    [Id(13)] public List<TaskAttempt> Attempts { get; set; } = [];
    [Id(14)] public string? ResultJson { get; set; }
    [Id(15)] public TaskError? Error { get; set; }
    [Id(16)] public DateTimeOffset CreatedAt { get; set; }
    [Id(17)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(18)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(19)] public long Version { get; set; }

    /// <summary>The newest progress events (bounded); sequence numbers have no gaps.</summary>
    [Id(20)] public List<TaskEvent> Events { get; set; } = [];
    [Id(21)] public long LastEventSequence { get; set; }

    /// <summary>Attempts before this index belong to runs before the last requeue and do not count against MaxAttempts.</summary>
    [Id(22)] public int BudgetStart { get; set; }

    /// <summary>Attempts lost to silo crashes in the current run.</summary>
    [Id(23)] public int LostAttempts { get; set; }

    /// <summary>Earliest start of the next attempt (retry backoff), so a crash during backoff keeps the delay.</summary>
    [Id(24)] public DateTimeOffset? NotBefore { get; set; }

    /// <summary>Finished, but the agent, the task log or the dead letters may not know yet.</summary>
    [Id(25)] public bool FollowUpsPending { get; set; }

    /// <summary>Who started the task on the submitter's behalf, e.g. <c>workflow-run:{runId}:{stepId}</c>; null for direct calls.</summary>
    [Id(26)] public string? Origin { get; set; }

    /// <summary>The W3C id of the call that submitted the task: its attempts are spans of that trace (<see cref="WorkTracing"/>).</summary>
    [Id(27)] public string? TraceParent { get; set; }

    /// <summary>The external worker's lease on the running attempt (ids from 40 keep clear of the task path's own additions).</summary>
    [Id(40)] public TaskLease? Lease { get; set; }

    /// <summary>Leased to external workers at least once: attempts come back to the agent's queue, never run in a silo.</summary>
    [Id(41)] public bool External { get; set; }

    /// <summary>Attempts that count against MaxAttempts: those of this run not lost to a crash.</summary>
    public int AttemptsUsed => Attempts.Skip(BudgetStart).Count(a => a.Outcome != AttemptOutcome.Lost);
}
