namespace OrleansAgents.Errors;

/// <summary>Workflow lifecycle and run codes (validation findings' codes are in ErrorCodes.WorkflowDefinitions.cs).</summary>
public static partial class ErrorCodes
{
    public const string WorkflowInvalidId = "workflow.invalid_id";
    public const string WorkflowNotFound = "workflow.not_found";
    public const string WorkflowExists = "workflow.exists";

    /// <summary>The definition has validation errors (listed in the problem's <c>errors</c>); nothing was stored.</summary>
    public const string WorkflowInvalid = "workflow.invalid";
    public const string WorkflowVersionConflict = "workflow.version_conflict";
    public const string WorkflowVersionNotFound = "workflow.version_not_found";
    public const string WorkflowTransitionNotAllowed = "workflow.transition_not_allowed";
    public const string WorkflowArchived = "workflow.archived";
    public const string WorkflowRunsUnfinished = "workflow.runs_unfinished";
    public const string WorkflowModeNotAllowed = "workflow.mode_not_allowed";

    /// <summary>The run input does not satisfy the workflow's input schema (findings in <c>errors</c>).</summary>
    public const string WorkflowRunInputRejected = "workflow.input_rejected";
    public const string WorkflowRunInvalidId = "workflow.run_invalid_id";
    public const string WorkflowRunNotFound = "workflow.run_not_found";
    public const string WorkflowRunIdempotencyConflict = "workflow.run_idempotency_conflict";
    public const string WorkflowStepNotFound = "workflow.step_not_found";
    public const string WorkflowStepNotWaiting = "workflow.step_not_waiting";

    /// <summary>The caller started the run and may not approve or reject its gates (Workflows:AllowSelfApproval is off).</summary>
    public const string WorkflowSelfApproval = "workflow.self_approval";

    /// <summary>A step's error: an approver rejected it.</summary>
    public const string WorkflowStepRejected = "workflow.step_rejected";

    /// <summary>A step's error: no agent took its task within Workflows:SubmitPatience.</summary>
    public const string WorkflowStepNoAgent = "workflow.no_agent";

    /// <summary>A step's error: the run was cancelled while it was outstanding.</summary>
    public const string WorkflowStepCancelled = "workflow.step_cancelled";

    /// <summary>A run's error: its output template could not be filled.</summary>
    public const string WorkflowOutputFailed = "workflow.output_failed";
}
