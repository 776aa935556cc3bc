using System.Text.Json.Nodes;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Grains.Workflows;

/// <summary>
/// The run's step state machine over its record: which pending steps become running, skipped,
/// waiting or failed; a finished task's outcome taken into its step; the run's status from its
/// steps. No I/O: the grain submits, checkpoints and follows up. Every change adds an event
/// through <c>addEvent</c>; <c>ended</c> is told the outcome once when the run finishes.
/// </summary>
public sealed class WorkflowRunSteps(
    WorkflowRunRecord run,
    string runId,
    TimeProvider time,
    Action<WorkflowRunEventType, WorkflowStepRecord?> addEvent,
    Action<WorkflowRunStatus> ended)
{
    /// <summary>Skips, parks for approval, or marks running every pending step whose dependencies are done.</summary>
    public List<WorkflowStepRecord> PromoteReadySteps()
    {
        var ready = new List<WorkflowStepRecord>();
        var now = time.GetUtcNow();
        bool changed;
        do
        {
            changed = false;
            foreach (var step in run.Steps.Where(s => s.Status == WorkflowStepStatus.Pending))
            {
                var definition = Definition(step.Id);
                var dependencies = definition.DependsOn.Select(Step).ToList();
                if (!dependencies.All(d => d.Status is WorkflowStepStatus.Succeeded or WorkflowStepStatus.Skipped))
                {
                    continue;
                }

                if (step.RetrySubmitAt is { } retryAt && retryAt > now)
                {
                    continue;
                }

                if (step.InputJson is null)
                {
                    try
                    {
                        if (definition.Condition is { } text && !Evaluate(text))
                        {
                            step.Status = WorkflowStepStatus.Skipped;
                            step.FinishedAt = now;
                            addEvent(WorkflowRunEventType.Step, step);
                            changed = true;
                            continue;
                        }

                        if (definition.RequiresApproval && !step.Approved)
                        {
                            step.Status = WorkflowStepStatus.Waiting;
                            addEvent(WorkflowRunEventType.Step, step);
                            changed = true;
                            continue;
                        }

                        step.InputJson = WorkflowTemplates.Render(definition.InputTemplateJson, run.InputJson, StepData());
                    }
                    catch (WorkflowTemplateException ex)
                    {
                        FailStep(step, ex.Code, ex.Message);
                        changed = true;
                        continue;
                    }
                }

                step.TaskId ??= TaskRules.IdForIdempotencyKey(WorkflowRules.TaskOrigin(runId, step.Id), step.Id);
                step.ReadyAt ??= now;
                step.StartedAt ??= now;
                step.RetrySubmitAt = null;
                step.Status = WorkflowStepStatus.Running;
                addEvent(WorkflowRunEventType.Step, step);
                ready.Add(step);
                changed = true;
            }
        }
        while (changed);
        return ready;
    }

    /// <summary>Takes a finished task's outcome into its step; false when the task is not finished or not the step's.</summary>
    public bool ApplyTaskOutcome(WorkflowStepRecord step, TaskView task)
    {
        if (step.Status != WorkflowStepStatus.Running || task.Id != step.TaskId)
        {
            return false;
        }

        step.Attempts = task.Attempts.Count;
        step.AgentId = task.AgentId;
        if (!TaskRules.IsFinished(task.State))
        {
            return false;
        }

        step.FinishedAt = task.FinishedAt ?? time.GetUtcNow();
        if (task.State == TaskState.Succeeded)
        {
            step.Status = WorkflowStepStatus.Succeeded;
            step.OutputJson = task.ResultJson ?? "null";
            addEvent(WorkflowRunEventType.Step, step);
        }
        else
        {
            var error = task.Error ?? new TaskError("task." + task.State.ToString().ToLowerInvariant(), $"The step's task ended {task.State}.", false);
            FailStep(step, error.Code, error.Message);
        }

        return true;
    }

    public void FailStep(WorkflowStepRecord step, string code, string message)
    {
        step.Status = WorkflowStepStatus.Failed;
        step.FinishedAt ??= time.GetUtcNow();
        step.Error = new WorkflowStepError(code, message);
        step.RetrySubmitAt = null;
        addEvent(WorkflowRunEventType.Step, step);
    }

    /// <summary>Fails, succeeds, waits or keeps running, from the steps' states.</summary>
    public void UpdateRunStatus()
    {
        if (run.Steps.FirstOrDefault(s => s.Status == WorkflowStepStatus.Failed) is { } failed)
        {
            StopOutstandingSteps($"Step '{failed.Id}' failed, so the run stopped.");
            EndRun(WorkflowRunStatus.Failed, failed.Error! with { Message = $"Step '{failed.Id}' failed: {failed.Error!.Message}" });
            return;
        }

        if (run.Steps.All(s => WorkflowRules.IsFinished(s.Status)))
        {
            try
            {
                run.OutputJson = run.Definition.OutputTemplateJson is { } template
                    ? WorkflowTemplates.Render(template, run.InputJson, StepData())
                    : new JsonObject(run.Steps.Where(s => s.Status == WorkflowStepStatus.Succeeded)
                        .Select(s => KeyValuePair.Create(s.Id, JsonNode.Parse(s.OutputJson ?? "null")))).ToJsonString();
                EndRun(WorkflowRunStatus.Succeeded, null);
            }
            catch (WorkflowTemplateException ex)
            {
                EndRun(WorkflowRunStatus.Failed, new WorkflowStepError(ErrorCodes.WorkflowOutputFailed, $"The run's output could not be filled: {ex.Message}"));
            }

            return;
        }

        var waiting = run.Steps.Any(s => s.Status == WorkflowStepStatus.Waiting)
            && !run.Steps.Any(s => s.Status == WorkflowStepStatus.Running || s.RetrySubmitAt is not null);
        var status = waiting ? WorkflowRunStatus.Waiting : WorkflowRunStatus.Running;
        if (status != run.Status)
        {
            run.Status = status;
            run.ReadModelPending = true;
            addEvent(WorkflowRunEventType.Run, null);
        }
    }

    public void EndRun(WorkflowRunStatus outcome, WorkflowStepError? error)
    {
        var now = time.GetUtcNow();
        run.Status = outcome;
        run.Error = error;
        run.FinishedAt = now;
        run.FollowUpsPending = true;
        run.ReadModelPending = true;
        addEvent(WorkflowRunEventType.Run, null);
        ended(outcome);
    }

    /// <summary>Cancels every unfinished step; the tasks of running ones are cancelled by the follow-ups.</summary>
    public void StopOutstandingSteps(string reason)
    {
        var now = time.GetUtcNow();
        foreach (var step in run.Steps.Where(s => !WorkflowRules.IsFinished(s.Status)))
        {
            if (step.Status == WorkflowStepStatus.Running && step.TaskId is not null)
            {
                run.TasksToCancel.Add(step.TaskId);
            }

            step.Status = WorkflowStepStatus.Cancelled;
            step.FinishedAt = now;
            step.RetrySubmitAt = null;
            step.Error = new WorkflowStepError(ErrorCodes.WorkflowStepCancelled, reason);
            addEvent(WorkflowRunEventType.Step, step);
        }
    }

    private bool Evaluate(string text) =>
        WorkflowCondition.TryParse(text, out var condition, out var error)
            ? condition!.Evaluate(run.InputJson, StepData())
            : throw new WorkflowTemplateException(ErrorCodes.WorkflowInvalid, $"The condition does not parse: {error}");

    private Dictionary<string, StepData> StepData() => run.Steps
        .Where(s => s.Status is WorkflowStepStatus.Succeeded or WorkflowStepStatus.Skipped)
        .ToDictionary(s => s.Id, s => new StepData(WorkflowMetrics.Label(s.Status), s.Status == WorkflowStepStatus.Succeeded ? s.OutputJson : null), StringComparer.Ordinal);

    public WorkflowStep Definition(string stepId) => run.Definition.Steps.First(s => s.Id == stepId);

    private WorkflowStepRecord Step(string stepId) => run.Steps.First(s => s.Id == stepId);
}
