using Orleans.Concurrency;

namespace OrleansAgents.Workflows;

/// <summary>
/// One workflow (key: workflow id, <see cref="WorkflowRules.IdPattern"/>): its versioned definition,
/// validation findings and lifecycle. Every edit is a new version; runs pin the version they start with.
/// </summary>
[Alias("OrleansAgents.IWorkflowGrain")]
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Validates (structure and the live cluster) and stores version 1 as <c>created</c>; a definition with errors is refused and nothing is stored.</summary>
    [Alias("Create")]
    Task<WorkflowView> CreateAsync(WorkflowDefinition definition, string by);

    /// <summary>Creates like <see cref="CreateAsync"/> and records where a generated definition came from.</summary>
    [Alias("CreateGenerated")]
    Task<WorkflowView> CreateGeneratedAsync(WorkflowDefinition definition, string by, WorkflowProvenance provenance);

    /// <summary>The latest version, or <paramref name="version"/>; null when the workflow (or version) does not exist.</summary>
    [Alias("Get")]
    ValueTask<WorkflowView?> GetAsync(int? version);

    /// <summary>Stores a new version (status back to <c>created</c>); refused with errors like create. <paramref name="expectedVersion"/> guards against lost updates.</summary>
    [Alias("Update")]
    Task<WorkflowView> UpdateAsync(WorkflowDefinition definition, int? expectedVersion, string by);

    /// <summary>Re-validates the latest version against the live cluster: <c>validated</c> when clean, <c>failed</c> with the findings stored otherwise.</summary>
    [Alias("Validate")]
    Task<WorkflowView> ValidateAsync(string by);

    /// <summary>Moves to <paramref name="target"/> (staged, active, archived); 409 when the lifecycle does not allow it.</summary>
    [Alias("Transition")]
    Task<WorkflowView> TransitionAsync(WorkflowStatus target, string by);

    /// <summary>Deletes the workflow when no run of it is unfinished; runs keep their pinned copy.</summary>
    [Alias("Delete")]
    Task DeleteAsync(string by);

    /// <summary>Checks the mode against the lifecycle and the input against the schema, then starts a run of the latest version.</summary>
    [Alias("StartRun")]
    Task<WorkflowRunView> StartRunAsync(WorkflowRunRequest request);
}

/// <summary>
/// One run (key: run id, <see cref="WorkflowRules.RunIdPattern"/>): fans ready steps out as agent
/// tasks, checkpoints every step outcome before the next steps start, and holds a reminder while
/// unfinished so that it resumes on another silo from its last checkpoint.
/// </summary>
[Alias("OrleansAgents.IWorkflowRunGrain")]
public interface IWorkflowRunGrain : IGrainWithStringKey
{
    /// <summary>Stores the run and starts its first steps; a repeat returns the run unchanged.</summary>
    [Alias("Start")]
    Task<WorkflowRunView> StartAsync(WorkflowRunStart start);

    [Alias("Get")]
    ValueTask<WorkflowRunView?> GetAsync();

    /// <summary>Cancels outstanding steps and ends the run as cancelled; a finished run is returned unchanged.</summary>
    [Alias("Cancel")]
    Task<WorkflowRunView> CancelAsync(string by);

    /// <summary>Decides a step's approval gate; 409 <c>workflow.step_not_waiting</c> when that step is not waiting.</summary>
    [Alias("Decide")]
    Task<WorkflowRunView> DecideAsync(string stepId, bool approve, string by, string? comment);

    /// <summary>A step's task finished (told by the task; repeats and stale reports are ignored).</summary>
    [OneWay, Alias("StepTaskFinished")]
    Task StepTaskFinishedAsync(string stepId, string taskId);

    /// <summary>Events after <paramref name="afterSequence"/>, waiting up to <paramref name="maxWait"/> for the first; ends early when <paramref name="cancellationToken"/> is cancelled.</summary>
    [AlwaysInterleave, Alias("WaitForEvents")]
    Task<WorkflowRunEventBatch> WaitForEventsAsync(long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken = default);
}

/// <summary>Searches and statistics over the workflow read model (stateless; any key 0).</summary>
[Alias("OrleansAgents.IWorkflowQueryGrain")]
public interface IWorkflowQueryGrain : IGrainWithIntegerKey
{
    [Alias("Search")]
    Task<WorkflowPage> SearchAsync(WorkflowSearch search);

    [Alias("Runs")]
    Task<WorkflowRunPage> ListRunsAsync(string workflowId, WorkflowRunStatus? status, int limit, string? cursor);

    [Alias("Statistics")]
    Task<WorkflowStatistics> StatisticsAsync();
}
