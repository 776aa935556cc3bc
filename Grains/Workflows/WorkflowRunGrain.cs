using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Workflows.ReadModel;

namespace OrleansAgents.Grains.Workflows;

/// <summary>
/// Runs one workflow run. Ready steps (dependencies succeeded or skipped, condition true,
/// approval given) are submitted in parallel as agent tasks whose ids derive from (run, step),
/// so a resubmission after a crash lands on the same task. Every step outcome is checkpointed,
/// together with the steps it unblocks, before those are submitted. While unfinished the run
/// keeps a reminder: on another silo it reloads the checkpoint, asks its outstanding tasks how
/// they ended, and carries on; completed steps are never submitted again.
/// </summary>
public sealed partial class WorkflowRunGrain(
    [PersistentState("run", StorageNames.Workflows)] IPersistentState<WorkflowRunRecord> state,
    IWorkflowReadModel readModel,
    WorkflowMetrics metrics,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<WorkflowRunGrain> logger) : Grain, IWorkflowRunGrain, IRemindable
{
    public const string ResumeReminder = "workflow-run-resume";

    private readonly WorkflowOptions _options = options.Value;
    private readonly EventLog<WorkflowRunEvent> _events = new(e => e.Sequence, time);
    private GroupCommitWriter? _writer;
    private Watchdog? _reminder;
    private IGrainTimer? _retryTimer;
    private long _savedSequence = -1;
    private bool _deferralUnsaved;

    private WorkflowRunRecord S => state.State;

    private string Id => this.GetPrimaryKeyString();

    private bool Finished => WorkflowRules.IsFinished(S.Status);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Exists && (!Finished || S.FollowUpsPending))
        {
            // A fresh activation of an unfinished run: its silo may have died. Catch up at once.
            this.RegisterGrainTimer(_ => ResumeAsync(), new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
        }

        return Task.CompletedTask;
    }

    public async Task<WorkflowRunView> StartAsync(WorkflowRunStart start)
    {
        if (!WorkflowRules.IsValidRunId(Id))
        {
            throw new DomainException(ErrorCodes.WorkflowRunInvalidId, $"A run id looks like r_ followed by 26 base32 characters ({WorkflowRules.RunIdPattern}).");
        }

        var fingerprint = WorkflowRunRecord.FingerprintOf(start.WorkflowId, start.WorkflowVersion, start.Mode, start.InputJson, start.StartedBy);
        if (S.Exists)
        {
            if (S.EffectiveFingerprint != fingerprint)
            {
                throw new DomainException(ErrorCodes.WorkflowRunIdempotencyConflict,
                    "This Idempotency-Key already started a different run; use a new key for a new run.", DomainErrorKind.Conflict);
            }

            // A resend: the first start may have died after the checkpoint, before the reminder or the
            // first submissions. Make sure the run can move again before answering.
            if (!Finished)
            {
                await Reminder.RegisterAsync();
                await ResumeAsync();
            }

            return View();
        }

        // The reminder before the checkpoint: a stored run always has what resumes it. A reminder
        // without a stored run unregisters itself on its first tick.
        await Reminder.RegisterAsync();
        var now = time.GetUtcNow();
        state.State = new WorkflowRunRecord
        {
            Exists = true,
            WorkflowId = start.WorkflowId,
            WorkflowVersion = start.WorkflowVersion,
            Definition = start.Definition,
            Mode = start.Mode,
            InputJson = start.InputJson,
            StartedBy = start.StartedBy,
            Fingerprint = fingerprint,
            StartedAt = now,
            Status = WorkflowRunStatus.Running,
            Steps = [.. start.Definition.Steps.Select(s => new WorkflowStepRecord { Id = s.Id, Status = WorkflowStepStatus.Pending })],
            ReadModelPending = true,
        };
        AddEvent(WorkflowRunEventType.Run);
        try
        {
            await CheckpointAsync();
        }
        catch
        {
            state.State = new WorkflowRunRecord(); // the activation is going away; a resend starts afresh on the next one
            throw;
        }

        metrics.RunStarted(S.WorkflowId, S.Mode);
        LogStarted(Id, S.WorkflowId, S.WorkflowVersion, S.Mode);
        await AdvanceAsync([]);
        return View();
    }

    public ValueTask<WorkflowRunView?> GetAsync() => ValueTask.FromResult(S.Exists ? View() : null);

    public async Task<WorkflowRunView> CancelAsync(string by)
    {
        RequireExists();
        if (Finished)
        {
            return View();
        }

        StopOutstandingSteps($"The run was cancelled by {by}.");
        EndRun(WorkflowRunStatus.Cancelled, new WorkflowStepError(ErrorCodes.WorkflowStepCancelled, $"Cancelled by {by}."));
        await CheckpointAsync();
        await FollowUpsAsync();
        return View();
    }

    public async Task<WorkflowRunView> DecideAsync(string stepId, bool approve, string by, string? comment)
    {
        RequireExists();
        var step = S.Steps.FirstOrDefault(s => s.Id == stepId)
            ?? throw new DomainException(ErrorCodes.WorkflowStepNotFound, $"Run '{Id}' has no step '{stepId}'.", DomainErrorKind.NotFound);
        if (step.Status != WorkflowStepStatus.Waiting || Finished)
        {
            throw new DomainException(ErrorCodes.WorkflowStepNotWaiting,
                $"Step '{stepId}' of run '{Id}' is {WorkflowMetrics.Label(step.Status)}, not waiting for approval"
                + (Finished ? $" (the run is {WorkflowMetrics.Label(S.Status)})." : "."), DomainErrorKind.Conflict);
        }

        step.DecidedBy = by;
        step.Comment = comment;
        if (approve)
        {
            step.Approved = true;
            step.Status = WorkflowStepStatus.Pending;
            AddEvent(WorkflowRunEventType.Step, step);
            await AdvanceAsync([]);
        }
        else
        {
            FailStep(step, ErrorCodes.WorkflowStepRejected, $"Rejected by {by}" + (string.IsNullOrEmpty(comment) ? "." : $": {comment}"));
            await AdvanceAsync([]);
        }

        return View();
    }

    public async Task StepTaskFinishedAsync(string stepId, string taskId)
    {
        if (!S.Exists || Finished)
        {
            return;
        }

        var step = S.Steps.FirstOrDefault(s => s.Id == stepId);
        if (step is null || step.Status != WorkflowStepStatus.Running || step.TaskId != taskId)
        {
            return; // a repeat or a stale report
        }

        var view = await GrainFactory.GetGrain<ITaskGrain>(taskId).GetAsync();
        if (view is not null && ApplyTaskOutcome(step, view))
        {
            await AdvanceAsync([]);
        }
    }

    public Task<WorkflowRunEventBatch> WaitForEventsAsync(long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        RequireExists();
        return _events.LongPollAsync(() => EventsAfter(afterSequence), b => b.Events.Count > 0 || b.Finished, maxWait, cancellationToken);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ResumeReminder)
        {
            await ResumeAsync();
        }
    }

    /// <summary>After a crash, a lost message or a submission back-off: learn how outstanding tasks ended, then carry on.</summary>
    private async Task ResumeAsync()
    {
        if (!S.Exists)
        {
            await UnregisterReminderAsync();
            return;
        }

        if (Finished)
        {
            if (S.FollowUpsPending)
            {
                await FollowUpsAsync();
            }
            else
            {
                await UnregisterReminderAsync();
            }

            return;
        }

        var running = S.Steps.Where(s => s.Status == WorkflowStepStatus.Running && s.TaskId is not null).ToList();
        var views = await Task.WhenAll(running.Select(s => GrainFactory.GetGrain<ITaskGrain>(s.TaskId!).GetAsync().AsTask()));
        var resubmit = new List<WorkflowStepRecord>();
        for (var i = 0; i < running.Count; i++)
        {
            if (views[i] is { } view)
            {
                ApplyTaskOutcome(running[i], view);
            }
            else
            {
                resubmit.Add(running[i]); // checkpointed as running, but the submission never landed
            }
        }

        await AdvanceAsync(resubmit);
        if (S.ReadModelPending)
        {
            await WriteReadModelAsync();
        }
    }

    /// <summary>
    /// Moves every step that can move, checkpoints, then submits the newly running steps in
    /// parallel; repeats while submissions come back already finished.
    /// </summary>
    private async Task AdvanceAsync(List<WorkflowStepRecord> resubmit)
    {
        var toSubmit = resubmit;
        while (true)
        {
            if (!Finished)
            {
                toSubmit.AddRange(PromoteReadySteps());
                UpdateRunStatus();
            }

            if (Unsaved)
            {
                await CheckpointAsync();
            }

            if (Finished)
            {
                await FollowUpsAsync();
                return;
            }

            if (toSubmit.Count == 0)
            {
                ScheduleSubmitRetry();
                return;
            }

            var submitted = toSubmit;
            toSubmit = [];
            var changed = await Task.WhenAll(submitted.Select(SubmitAsync));
            if (!changed.Any(c => c))
            {
                // All accepted and still running: the checkpoint above already says so.
                ScheduleSubmitRetry();
                return;
            }

            // Some came back finished, failed or deferred: record that and move on from there.
        }
    }

    private WorkflowRunSteps Machine => new(S, Id, time, AddEvent, OnEnded);

    private List<WorkflowStepRecord> PromoteReadySteps() => Machine.PromoteReadySteps();

    private void FailStep(WorkflowStepRecord step, string code, string message) => Machine.FailStep(step, code, message);

    private void UpdateRunStatus() => Machine.UpdateRunStatus();

    private void EndRun(WorkflowRunStatus outcome, WorkflowStepError? error) => Machine.EndRun(outcome, error);

    private void StopOutstandingSteps(string reason) => Machine.StopOutstandingSteps(reason);

    /// <summary>Takes a finished task's outcome into its step (see <see cref="WorkflowRunSteps.ApplyTaskOutcome"/>).</summary>
    private bool ApplyTaskOutcome(WorkflowStepRecord step, TaskView task)
    {
        if (!Machine.ApplyTaskOutcome(step, task))
        {
            return false;
        }

        metrics.StepFinished(Machine.Definition(step.Id).Skill, step.Status, step.FinishedAt!.Value - (step.StartedAt ?? step.FinishedAt.Value));
        return true;
    }

    private void OnEnded(WorkflowRunStatus outcome)
    {
        metrics.RunFinished(S.WorkflowId, outcome, (S.FinishedAt ?? time.GetUtcNow()) - S.StartedAt);
        LogFinished(Id, outcome);
    }

    /// <summary>Submits a step's task; true when the step did not simply stay running (finished, failed, or deferred back to pending).</summary>
    private async Task<bool> SubmitAsync(WorkflowStepRecord step)
    {
        var definition = Machine.Definition(step.Id);
        var submission = new TaskSubmission(definition.AgentId, definition.Capability, definition.Skill, step.InputJson!, TaskPriority.Default,
            definition.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, null, definition.MaxAttempts,
            $"{Id}:{step.Id}", S.StartedBy)
        {
            Origin = WorkflowRules.TaskOrigin(Id, step.Id),
        };
        try
        {
            var accepted = await GrainFactory.GetGrain<ITaskGrain>(step.TaskId!).SubmitAsync(submission);
            step.AgentId = accepted.Task.AgentId;
            return ApplyTaskOutcome(step, accepted.Task);
        }
        catch (Exception ex) when (ex is DomainException { Kind: DomainErrorKind.Unavailable } or not DomainException)
        {
            // No free agent, a full queue, or the cluster is busy: try again later, within the step's patience.
            var now = time.GetUtcNow();
            if (now - (step.ReadyAt ?? now) >= _options.SubmitPatience)
            {
                FailStep(step, ErrorCodes.WorkflowStepNoAgent,
                    $"No agent took the step's task within {_options.SubmitPatience}: {ex.Message}");
                return true;
            }

            LogSubmitDeferred(Id, step.Id, ex.Message);
            step.Status = WorkflowStepStatus.Pending;
            step.RetrySubmitAt = now + _options.SubmitRetryDelay;
            _deferralUnsaved = true;
            return true;
        }
        catch (DomainException ex)
        {
            FailStep(step, ex.Code, ex.Message);
            return true;
        }
    }

    /// <summary>Cancels the tasks still out and records the outcome in the read model; retried by the reminder until done.</summary>
    private async Task FollowUpsAsync()
    {
        try
        {
            // Cancelling a finished or never-submitted task is harmless (returned unchanged / not found).
            await Task.WhenAll(S.TasksToCancel.Select(CancelTaskAsync));
            S.TasksToCancel.Clear();
            await WriteReadModelAsync(throwOnFailure: true);
            S.FollowUpsPending = false; // in memory only: with the reminder gone nothing reads it again
            await UnregisterReminderAsync();
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            LogFollowUpsDeferred(ex, Id);
        }
    }

    private async Task CancelTaskAsync(string taskId)
    {
        try
        {
            await GrainFactory.GetGrain<ITaskGrain>(taskId).CancelAsync();
        }
        catch (DomainException)
        {
            // never submitted: nothing to cancel
        }
    }

    /// <summary>Something a reader or a resumed run needs is not stored yet: every step or run change adds an event.</summary>
    private bool Unsaved => S.LastEventSequence != _savedSequence || _deferralUnsaved;

    private async Task CheckpointAsync()
    {
        S.Version++;
        var started = Stopwatch.GetTimestamp();
        await (_writer ??= state.GroupCommit(this)).SaveAsync();
        _savedSequence = S.LastEventSequence;
        _deferralUnsaved = false;
        metrics.Checkpointed(Stopwatch.GetElapsedTime(started));
        if (S.ReadModelPending && !Finished)
        {
            await WriteReadModelAsync();
        }

        Notify();
    }

    private async Task WriteReadModelAsync(bool throwOnFailure = false)
    {
        try
        {
            await readModel.UpsertRunAsync(new WorkflowRunRow(Id, S.WorkflowId, S.WorkflowVersion, S.Mode, S.Status, S.StartedBy,
                S.StartedAt, S.FinishedAt, S.Error?.Code, S.Version));
            S.ReadModelPending = false;
        }
        catch (Exception ex) when (!throwOnFailure)
        {
            LogReadModelDeferred(ex, Id);
        }
    }

    private void ScheduleSubmitRetry()
    {
        var retries = S.Steps.Where(s => s.Status == WorkflowStepStatus.Pending && s.RetrySubmitAt is not null).Select(s => s.RetrySubmitAt!.Value).ToList();
        if (Finished || retries.Count == 0)
        {
            return;
        }

        var due = retries.Min() - time.GetUtcNow();
        _retryTimer?.Dispose();
        _retryTimer = this.RegisterGrainTimer(_ => ResumeAsync(), new GrainTimerCreationOptions
        {
            DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    private Watchdog Reminder => _reminder ??= new(this, ResumeReminder, () => _options.ResumeInterval);

    private Task UnregisterReminderAsync() => Reminder.UnregisterAsync();

    private void AddEvent(WorkflowRunEventType type, WorkflowStepRecord? step = null)
    {
        _events.Append(S.Events,
            new WorkflowRunEvent(++S.LastEventSequence, time.GetUtcNow(), type, S.Status, step is null ? null : StepView(step)), _options.EventRetention);
    }

    /// <summary>Readers are woken after a checkpoint, so they never see an event storage might lose.</summary>
    private void Notify() => _events.Notify();

    private WorkflowRunEventBatch EventsAfter(long sequence) => new(
        _events.After(S.Events, sequence), Finished, _events.FirstHeld(S.Events, S.LastEventSequence));

    private void RequireExists()
    {
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.WorkflowRunNotFound, $"Run '{Id}' does not exist.", DomainErrorKind.NotFound);
        }
    }

    private static WorkflowStepView StepView(WorkflowStepRecord s) =>
        new(s.Id, s.Status, s.TaskId, s.AgentId, s.Attempts, s.StartedAt, s.FinishedAt, s.OutputJson, s.Error, s.DecidedBy, s.Comment);

    private WorkflowRunView View() => new(Id, S.WorkflowId, S.WorkflowVersion, S.Mode, S.Status, S.InputJson, S.OutputJson, S.Error,
        [.. S.Steps.Select(StepView)], S.StartedBy, S.StartedAt, S.FinishedAt, S.Version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of workflow {WorkflowId} v{Version} started ({Mode}).")]
    private partial void LogStarted(string runId, string workflowId, int version, WorkflowRunMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} finished: {Outcome}.")]
    private partial void LogFinished(string runId, WorkflowRunStatus outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: step {StepId} could not be submitted yet ({Reason}); retrying.")]
    private partial void LogSubmitDeferred(string runId, string stepId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: follow-ups failed; the reminder retries them.")]
    private partial void LogFollowUpsDeferred(Exception ex, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the read model write failed; retried later.")]
    private partial void LogReadModelDeferred(Exception ex, string runId);
}
