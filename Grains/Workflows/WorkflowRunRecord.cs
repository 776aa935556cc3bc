using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Workflows;

/// <summary>
/// A run's checkpoint (Orleans binary serializer: never renumber an [Id] or change the alias).
/// Written after every step outcome and before the steps that outcome unblocks are submitted.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.WorkflowRunRecord.v1")]
public sealed class WorkflowRunRecord
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string WorkflowId { get; set; } = "";
    [Id(2)] public int WorkflowVersion { get; set; }
    [Id(3)] public WorkflowDefinition Definition { get; set; } = null!;
    [Id(4)] public WorkflowRunMode Mode { get; set; }
    [Id(5)] public string InputJson { get; set; } = "null";
    [Id(6)] public string StartedBy { get; set; } = "";
    [Id(7)] public DateTimeOffset StartedAt { get; set; }
    [Id(8)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(9)] public WorkflowRunStatus Status { get; set; }
    [Id(10)] public string? OutputJson { get; set; }
    [Id(11)] public WorkflowStepError? Error { get; set; }

    /// <summary>One per step of the definition, in definition order.</summary>
    [Id(12)] public List<WorkflowStepRecord> Steps { get; set; } = [];

    /// <summary>Increases with every stored change; orders the read model's writes.</summary>
    [Id(13)] public long Version { get; set; }
    [Id(14)] public List<WorkflowRunEvent> Events { get; set; } = [];
    [Id(15)] public long LastEventSequence { get; set; }

    /// <summary>Finished, but the read model or the workflow may not know yet (the reminder retries).</summary>
    [Id(16)] public bool FollowUpsPending { get; set; }

    /// <summary>The read model has not yet taken the latest status.</summary>
    [Id(17)] public bool ReadModelPending { get; set; }

    /// <summary>Tasks of steps the run stopped (failure or cancel) that still have to be cancelled.</summary>
    [Id(18)] public List<string> TasksToCancel { get; set; } = [];

    /// <summary>The start's <see cref="RequestFingerprint"/>; empty in runs stored before it was kept.</summary>
    [Id(19)] public string Fingerprint { get; set; } = "";

    /// <summary>What a resend under the same key must match: for an older run, the same rule over its stored fields (no migration).</summary>
    public string EffectiveFingerprint => Fingerprint.Length > 0 ? Fingerprint : FingerprintOf(WorkflowId, WorkflowVersion, Mode, InputJson, StartedBy);

    public static string FingerprintOf(string workflowId, int workflowVersion, WorkflowRunMode mode, string inputJson, string startedBy) =>
        RequestFingerprint.Of(workflowId, workflowVersion, mode, inputJson, startedBy);
}

[GenerateSerializer, Alias("OrleansAgents.WorkflowStepRecord.v1")]
public sealed class WorkflowStepRecord
{
    [Id(0)] public string Id { get; set; } = "";
    [Id(1)] public WorkflowStepStatus Status { get; set; }
    [Id(2)] public string? TaskId { get; set; }
    [Id(3)] public string? AgentId { get; set; }
    [Id(4)] public int Attempts { get; set; }
    [Id(5)] public DateTimeOffset? StartedAt { get; set; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(7)] public string? OutputJson { get; set; }
    [Id(8)] public WorkflowStepError? Error { get; set; }
    [Id(9)] public string? DecidedBy { get; set; }
    [Id(10)] public string? Comment { get; set; }

    /// <summary>The approval gate was passed; the step may be submitted.</summary>
    [Id(11)] public bool Approved { get; set; }

    /// <summary>The step's task is not submitted yet (no agent, queue full): try again at this time.</summary>
    [Id(12)] public DateTimeOffset? RetrySubmitAt { get; set; }

    /// <summary>When the step first became ready to submit (bounds the wait for an agent).</summary>
    [Id(13)] public DateTimeOffset? ReadyAt { get; set; }

    /// <summary>The rendered task input (kept so a resubmission after a crash is the same submission).</summary>
    [Id(14)] public string? InputJson { get; set; }
}
