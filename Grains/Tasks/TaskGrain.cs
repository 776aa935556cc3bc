using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Owns one task: validation and enqueueing, the attempts (Polly retry with exponential backoff
/// and jitter, soft timeout through the skill's token, hard timeout by abandoning the attempt),
/// the progress events and the follow-ups when it finishes. A task keeps no reminder of its own:
/// the agent that holds it in its queue or a slot keeps one for all of them (see
/// <see cref="CheckAsync"/>), so if the task's silo dies it is run again elsewhere, and a finished
/// task's follow-ups are completed before it gives its slot back.
/// </summary>
public sealed partial class TaskGrain(
    [PersistentState("task", StorageNames.Tasks)] IPersistentState<TaskRecord> state,
    IOptions<TaskOptions> options,
    SkillRegistry skills,
    TaskMetrics metrics,
    TimeProvider time,
    ILocalSiloDetails silo,
    IEnumerable<ITaskOutcomeSink> outcomeSinks,
    ITaskLog taskLog,
    AgentLoadBoard loadBoard,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, IRemindable, IDisposable
{
    /// <summary>The per-task reminder of earlier versions: rows registered before still tick until their task is done.</summary>
    public const string WatchdogReminder = "task-watchdog";
    private static readonly ResiliencePropertyKey<TaskGrain> GrainKey = new("orleansagents.task");
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int, TimeSpan, TimeSpan, TimeSpan), ResiliencePipeline<string>> Pipelines = new();

    private readonly TaskOptions _options = options.Value;
    private readonly ITaskOutcomeSink[] _sinks = [.. outcomeSinks];
    private readonly EventLog<TaskEvent> _events = new(e => e.Sequence, time);
    private GroupCommitWriter? _writer;
    private Watchdog? _watchdog;
    private bool _legacyWatchdog; // a reminder of an earlier version ticked for this task
    private CancellationTokenSource? _run;
    private Task? _execution;

    private TaskRecord S => state.State;

    private string Id => this.GetPrimaryKeyString();

    private bool ExecutingHere => _execution is { IsCompleted: false };

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Exists && S.State == TaskState.Running)
        {
            // This activation is new, so nothing runs the task: its previous silo died or let it go.
            this.RegisterGrainTimer(_ => RecoverAsync(), new GrainTimerCreationOptions
            {
                DueTime = TimeSpan.Zero,
                Period = Timeout.InfiniteTimeSpan,
            });
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _run?.Dispose();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The task stays "running" in storage; its agent's watchdog resumes it on another activation.
        if (_run is not null)
        {
            await _run.CancelAsync();
        }
    }

    public async Task<TaskAccepted> SubmitAsync(TaskSubmission submission)
    {
        var (skill, input) = TaskSubmissionValidator.Validate(submission, skills, _options);
        var fingerprint = Fingerprint(submission, input);
        if (S.Exists)
        {
            if (S.Fingerprint != fingerprint)
            {
                throw new DomainException(ErrorCodes.TaskIdempotencyConflict,
                    "This Idempotency-Key was already used for a different task; use a new key for a new task.", DomainErrorKind.Conflict);
            }

            // A resend: the first submission may have died half way (stored, but its agent's queue
            // entry lost, or running on a silo that died). Answer "existing" only once the task can
            // make progress again.
            await RepairAsync();
            return new TaskAccepted(View(), Existing: true);
        }

        // Nothing is put into the grain's state before it is stored: an exception on the way would
        // otherwise leave an in-memory task a resend answers "existing" for, though no row exists.
        var candidates = submission.AgentId is { } agentId
            ? [agentId]
            : await GrainFactory.GetGrain<ITaskRouterGrain>(submission.Capability!).CandidatesAsync(skill.Name, 3);
        if (candidates.Count == 0)
        {
            throw NoAgentAvailable(submission.Capability!);
        }

        // The agent's queue entry before the record: once the record is stored, an agent holds the
        // task and its watchdog brings it back if a silo dies. An entry without a record (this silo
        // died before the save) is given back when the agent starts or checks it (StartAsync).
        var (chosen, refusal) = await EnqueueAsync(candidates, submission.Priority, skill.Name);
        if (chosen is null)
        {
            throw submission.AgentId is null ? NoAgentAvailable(submission.Capability!) : refusal!;
        }

        state.State = NewRecord(submission, skill, input, fingerprint, chosen);
        try
        {
            await SaveAsync();
        }
        catch
        {
            state.State = new TaskRecord(); // the activation is going away; the next one reads what was stored
            await ReleaseSlotAsync(chosen, bestEffort: true);
            throw;
        }

        AddEvent(TaskEventType.State);
        metrics.Entered(TaskState.Queued);
        // Not awaited: the caller's 202 does not wait for the agent's task log, which the
        // finish follow-ups update reliably anyway.
        _ = PublishSummaryAsync(bestEffort: true);
        return new TaskAccepted(View(), Existing: false);
    }

    public ValueTask<TaskView?> GetAsync() => ValueTask.FromResult(S.Exists ? View() : null);

    public async Task<TaskView> CancelAsync()
    {
        RequireExists();
        if (TaskRules.IsFinished(S.State))
        {
            return View();
        }

        if (S.Attempts.Count > 0 && S.Attempts[^1].Outcome == AttemptOutcome.Running)
        {
            S.Attempts[^1] = S.Attempts[^1] with { FinishedAt = time.GetUtcNow(), Outcome = AttemptOutcome.Cancelled };
        }

        if (_run is not null)
        {
            await _run.CancelAsync();
        }

        await FinishAsync(TaskState.Cancelled, result: null, error: new TaskError("task.cancelled", "Cancelled by a client.", Transient: false));
        return View();
    }

    public async Task<TaskView> RequeueAsync()
    {
        RequireExists();
        if (S.State is not (TaskState.Failed or TaskState.DeadLettered or TaskState.Cancelled))
        {
            throw new DomainException(ErrorCodes.TaskNotRequeueable,
                $"Only failed, dead-lettered or cancelled tasks can be requeued; this one is {TaskMetrics.Label(S.State)}.", DomainErrorKind.Conflict);
        }

        // The agent's queue entry before the record, as on submission: a stored "queued" is always
        // held by its agent. The agent refuses (retired, queue full) before anything changes here.
        await GrainFactory.GetGrain<IAgentGrain>(S.AgentId).EnqueueTaskAsync(Id, S.Priority, S.Skill, recovering: false);
        var before = (S.State, S.Error, S.ResultJson, S.FinishedAt, S.NotBefore, S.FollowUpsPending, S.BudgetStart, S.LostAttempts, S.UpdatedAt, S.Version);
        var wasDeadLettered = S.State == TaskState.DeadLettered;
        S.State = TaskState.Queued;
        S.Error = null;
        S.ResultJson = null;
        S.FinishedAt = null;
        S.NotBefore = null;
        S.FollowUpsPending = false;
        S.BudgetStart = S.Attempts.Count;
        S.LostAttempts = 0;
        Touch();
        try
        {
            await SaveAsync();
        }
        catch
        {
            (S.State, S.Error, S.ResultJson, S.FinishedAt, S.NotBefore, S.FollowUpsPending, S.BudgetStart, S.LostAttempts, S.UpdatedAt, S.Version) = before;
            await ReleaseSlotAsync(S.AgentId, bestEffort: true);
            throw;
        }

        AddEvent(TaskEventType.State);
        metrics.Entered(TaskState.Queued);
        if (wasDeadLettered)
        {
            await GrainFactory.GetGrain<IDeadLetterGrain>(DeadLetters.ShardOf(Id)).RemoveAsync(Id);
        }

        await PublishSummaryAsync(bestEffort: true);
        return View();
    }

    public Task StartAsync()
    {
        if (!S.Exists)
        {
            LogUnknownStart(Id); // a silo of the previous version, which does not say which agent asks
            return Task.CompletedTask;
        }

        return StartAsync(S.AgentId);
    }

    public Task StartAsync(string agentId)
    {
        if (HeldBy(agentId) && S.State == TaskState.Queued)
        {
            S.State = TaskState.Running;
            Touch();
            AddEvent(TaskEventType.State);
            metrics.Entered(TaskState.Running);
            BeginExecution();
            return Task.CompletedTask;
        }

        // Not this agent's, running (a repeat, or a start after a crash) or finished (e.g. cancelled
        // while the start was in flight, or a slot the agent had not stored as free): as a check.
        return CheckAsync(agentId);
    }

    public async Task CheckAsync(string agentId)
    {
        if (!HeldBy(agentId))
        {
            await ReleaseSlotAsync(agentId, bestEffort: false);
            return;
        }

        await ResumeAsync();
    }

    public Task<TaskEventBatch> WaitForEventsAsync(long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        RequireExists();
        return _events.LongPollAsync(() => EventsAfter(afterSequence), b => b.Events.Count > 0 || b.Finished, maxWait, cancellationToken);
    }

    /// <summary>Only rows registered by earlier versions tick here; they keep doing so until their task is done.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WatchdogReminder)
        {
            return;
        }

        _legacyWatchdog = true;
        if (!S.Exists || (TaskRules.IsFinished(S.State) && !S.FollowUpsPending))
        {
            await UnregisterWatchdogAsync();
            return;
        }

        await ResumeAsync();
    }

    /// <summary>
    /// Brings the stored task forward from wherever a crash left it; what the agent's watchdog, a
    /// start of a task that is not queued, a resend and an old reminder all do. Idempotent.
    /// </summary>
    private async Task ResumeAsync()
    {
        switch (S.State)
        {
            case TaskState.Queued:
                // The one-way start may have been lost with a silo, or the agent's entry with a crash:
                // re-announce (the agent starts it again, or queues it if it lost the entry).
                await GrainFactory.GetGrain<IAgentGrain>(S.AgentId).EnqueueTaskAsync(Id, S.Priority, S.Skill, recovering: true);
                break;
            case TaskState.Running when !ExecutingHere:
                await RecoverAsync();
                break;
            case TaskState.Running:
                break;
            default:
                // Finished. Stored with its follow-ups pending until this activation completed them;
                // a new activation cannot know whether they completed, so it does them again (each
                // is idempotent), and they end by giving the slot back.
                if (S.FollowUpsPending)
                {
                    await CompleteFollowUpsAsync();
                }
                else
                {
                    await ReleaseSlotAsync(S.AgentId, bestEffort: false);
                }

                break;
        }
    }

    private bool HeldBy(string agentId) => S.Exists && S.AgentId == agentId;

    /// <summary>Tells an agent that this task no longer needs its queue entry or slot.</summary>
    private async Task ReleaseSlotAsync(string agentId, bool bestEffort)
    {
        if (!HeldBy(agentId))
        {
            LogSlotReleased(Id, agentId);
        }

        try
        {
            await GrainFactory.GetGrain<IAgentGrain>(agentId).TaskFinishedAsync(Id);
        }
        catch (Exception ex) when (bestEffort)
        {
            // Harmless: the agent's start or watchdog check of this task gives the slot back.
            LogFollowUpsDeferred(ex, Id);
        }
    }

    /// <summary>The task is running by the record, but no activation runs it: record the lost attempt and run again.</summary>
    private async Task RecoverAsync()
    {
        if (!S.Exists || S.State != TaskState.Running || ExecutingHere)
        {
            return;
        }

        if (await RecoverLeasedAsync())
        {
            return; // leased to an external worker: never run in a silo (TaskGrain.Leases.cs)
        }

        if (S.Attempts.Count > 0 && S.Attempts[^1].Outcome == AttemptOutcome.Running)
        {
            var lost = new TaskError("task.lost", $"Silo {S.Attempts[^1].Silo} stopped while running this attempt.", Transient: true);
            S.Attempts[^1] = S.Attempts[^1] with { FinishedAt = time.GetUtcNow(), Outcome = AttemptOutcome.Lost, Error = lost };
            S.LostAttempts++;
            AddEvent(TaskEventType.Attempt, S.Attempts[^1]);
            LogAttemptLost(Id, S.Attempts[^1].Number, S.LostAttempts);
            if (S.LostAttempts > _options.MaxLostAttempts)
            {
                await FinishAsync(TaskState.DeadLettered, null,
                    lost with { Message = $"Lost {S.LostAttempts} attempts to silo failures; not retried again (poison task?)." });
                return;
            }

            Touch();
            await SaveAsync();
        }

        BeginExecution();
    }

    private void BeginExecution()
    {
        _run?.Dispose();
        _run = new CancellationTokenSource();
        _execution = ExecuteAsync(_run.Token);
    }

    private async Task ExecuteAsync(CancellationToken cancellation)
    {
        // A span in the submitter's trace, so what the skill calls (a delegate's turn, a model) is in it too.
        using var span = WorkTracing.Start("task " + S.Skill, S.TraceParent,
            ("orleansagents.task_id", Id), ("orleansagents.skill", S.Skill), ("orleansagents.agent_id", S.AgentId));
        if (!skills.TryGet(S.Skill, out var skill))
        {
            await FinishAsync(TaskState.Failed, null, new TaskError(ErrorCodes.TaskUnknownSkill, $"No silo skill named '{S.Skill}' any more.", Transient: false));
            return;
        }

        var remaining = S.MaxAttempts - S.AttemptsUsed;
        if (remaining <= 0)
        {
            await FinishAsync(TaskState.DeadLettered, null, S.Attempts.LastOrDefault()?.Error
                ?? new TaskError("task.attempts_exhausted", "No attempts left.", Transient: true));
            return;
        }

        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellation);
        try
        {
            if (S.NotBefore is { } notBefore && notBefore > time.GetUtcNow())
            {
                await Task.Delay(notBefore - time.GetUtcNow(), cancellation);
            }

            context.Properties.Set(GrainKey, this);
            var output = await Pipeline(remaining).ExecuteAsync(
                ctx => RunAttemptAsync(skill, ctx.CancellationToken, cancellation), context);
            await FinishAsync(TaskState.Succeeded, output, null);
        }
        catch (AttemptFailedException failed)
        {
            await FinishAsync(failed.Error.Transient ? TaskState.DeadLettered : TaskState.Failed, null, failed.Error);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Cancelled by a client (already recorded) or the activation is going away (the reminder resumes it).
        }
        catch (Exception ex)
        {
            LogExecutionFault(ex, Id);
            await FinishAsync(TaskState.Failed, null, new TaskError("task.internal", "The task failed inside the cluster: " + ex.GetType().Name, Transient: false));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Pipelines are cached per shape (attempts left, timeout, delays): building one validates its
    /// options by reflection, too slow to repeat per task. The callbacks find their task through
    /// the resilience context.
    /// </summary>
    private ResiliencePipeline<string> Pipeline(int remainingAttempts)
    {
        var key = (remainingAttempts, S.Timeout, _options.RetryBaseDelay, _options.RetryMaxDelay);
        // Timeouts are the caller's choice, so the cache is bounded; odd shapes are built each time.
        return Pipelines.TryGetValue(key, out var cached) ? cached
            : Pipelines.Count < 1024 ? Pipelines.GetOrAdd(key, BuildPipeline)
            : BuildPipeline(key);
    }

    private static ResiliencePipeline<string> BuildPipeline((int, TimeSpan, TimeSpan, TimeSpan) key)
    {
        var (attempts, timeout, baseDelay, maxDelay) = key;
        var builder = new ResiliencePipelineBuilder<string>();
        if (attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<string>
            {
                MaxRetryAttempts = attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                MaxDelay = maxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is AttemptFailedException { Error.Transient: true }),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is AttemptFailedException { RetryAfter: { } after } ? after : (TimeSpan?)null),
                OnRetry = args => args.Context.Properties.GetValue(GrainKey, null!).OnRetryAsync(args.AttemptNumber + 1, args.RetryDelay),
            });
        }

        // The soft timeout: Polly cancels the attempt's token; the skill is expected to stop.
        return builder.AddTimeout(timeout).Build();
    }

    private async ValueTask OnRetryAsync(int nextAttempt, TimeSpan delay)
    {
        S.NotBefore = time.GetUtcNow() + delay;
        Touch();
        await SaveAsync();
        metrics.Retried(S.Skill);
        LogRetry(Id, nextAttempt, delay);
    }

    /// <summary>One attempt: recorded before it starts and when it ends, so a crash loses at most the attempt itself.</summary>
    private async ValueTask<string> RunAttemptAsync(ISkill skill, CancellationToken softToken, CancellationToken cancellation)
    {
        var started = time.GetUtcNow();
        var attempt = new TaskAttempt(S.Attempts.Count + 1, started, null, AttemptOutcome.Running, null, silo.SiloAddress.ToParsableString());
        S.Attempts.Add(attempt);
        S.NotBefore = null;
        Touch();
        AddEvent(TaskEventType.Attempt, attempt);
        await SaveAsync();
        // Not awaited: the skill does not wait for the task log (its rows are versioned, so a late
        // "running" never overwrites the finished row); the agent's slot is busy for less time.
        _ = PublishSummaryAsync(bestEffort: true);

        var context = new SkillContext(Id, S.AgentId, attempt.Number, S.IdempotencyKey, S.SubmittedBy,
            JsonDocument.Parse(S.InputJson).RootElement.Clone(), new GrainAgentMemory(GrainFactory, S.AgentId));
        Task<JsonElement>? running = null;
        try
        {
            running = skill.ExecuteAsync(context, softToken).AsTask();
            var hardLeft = S.HardTimeout - (time.GetUtcNow() - started);
            var output = await running.WaitAsync(hardLeft > TimeSpan.Zero ? hardLeft : TimeSpan.Zero, cancellation);
            EndAttempt(AttemptOutcome.Succeeded, null);
            return output.GetRawText();
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw; // cancelled or deactivating: not an attempt failure
        }
        catch (Exception ex)
        {
            var (outcome, error, retryAfter) = Classify(ex, softToken);
            EndAttempt(outcome, error);
            Touch();
            await SaveAsync();
            LogAttemptFailed(Id, attempt.Number, error.Code, error.Transient);
            throw new AttemptFailedException(error, retryAfter);
        }
        finally
        {
            // An abandoned skill keeps running on its own; observe its end so it is never unobserved.
            if (running is { IsCompleted: false })
            {
                _ = running.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    private (AttemptOutcome Outcome, TaskError Error, TimeSpan? RetryAfter) Classify(Exception ex, CancellationToken softToken) => ex switch
    {
        SkillException skill => (AttemptOutcome.Failed, new TaskError(skill.Code, skill.Message, skill.Transient), skill.RetryAfter),
        OperationCanceledException when softToken.IsCancellationRequested =>
            (AttemptOutcome.TimedOut, new TaskError("task.timeout", $"The skill did not finish within the timeout of {S.Timeout.TotalSeconds:0.###} s.", Transient: true), null),
        TimeoutException =>
            (AttemptOutcome.TimedOut, new TaskError("task.hard_timeout", $"The skill ignored cancellation and was abandoned after {S.HardTimeout.TotalSeconds:0.###} s.", Transient: true), null),
        _ => (AttemptOutcome.Failed, new TaskError("skill.error", $"The skill failed: {ex.GetType().Name}: {ex.Message}", Transient: false), null),
    };

    private void EndAttempt(AttemptOutcome outcome, TaskError? error)
    {
        var ended = S.Attempts[^1] with { FinishedAt = time.GetUtcNow(), Outcome = outcome, Error = error };
        S.Attempts[^1] = ended;
        AddEvent(TaskEventType.Attempt, ended);
    }

    private async Task FinishAsync(TaskState final, string? result, TaskError? error)
    {
        if (TaskRules.IsFinished(S.State))
        {
            return; // e.g. cancelled while the last attempt was ending
        }

        var now = time.GetUtcNow();
        S.State = final;
        S.ResultJson = result;
        S.Error = error;
        S.FinishedAt = now;
        S.NotBefore = null;
        S.FollowUpsPending = true;
        Touch();
        AddEvent(final == TaskState.Succeeded ? TaskEventType.Result : TaskEventType.State);
        await SaveAsync();
        metrics.Entered(final);
        var startedAt = S.Attempts.Skip(S.BudgetStart).FirstOrDefault()?.StartedAt ?? S.CreatedAt;
        metrics.Finished(S.Skill, final, now - startedAt);
        LogFinished(Id, final, S.Attempts.Count - S.BudgetStart);
        await CompleteFollowUpsAsync();
    }

    /// <summary>
    /// Gives the agent's slot to its next task, updates the task log, the dead letters and the
    /// outcome sinks, then tells the agent they are done: until then the agent still holds the
    /// task (as finishing, without a slot) and its watchdog asks this task to complete them
    /// (<see cref="CheckAsync"/>). Each step is idempotent.
    /// </summary>
    private async Task CompleteFollowUpsAsync()
    {
        try
        {
            // One-way, first: the next task need not wait for this one's follow-ups.
            _ = GrainFactory.GetGrain<IAgentGrain>(S.AgentId).TaskFinishingAsync(Id);
            var steps = new List<Task>(2 + _sinks.Length) { PublishSummaryAsync(bestEffort: false) };
            if (S.State == TaskState.DeadLettered)
            {
                steps.Add(GrainFactory.GetGrain<IDeadLetterGrain>(DeadLetters.ShardOf(Id)).AddAsync(Summary()));
            }

            if (_sinks.Length > 0)
            {
                var outcome = new TaskOutcome(Id, S.AgentId, S.Capability, S.Skill, S.State, S.SubmittedBy, S.Origin,
                    S.Attempts.Count - S.BudgetStart, S.CreatedAt, S.FinishedAt ?? time.GetUtcNow(), View());
                foreach (var sink in _sinks)
                {
                    steps.Add(sink.TaskFinishedAsync(outcome, CancellationToken.None).AsTask());
                }
            }

            await Task.WhenAll(steps);
            await GrainFactory.GetGrain<IAgentGrain>(S.AgentId).TaskFinishedAsync(Id);
            S.FollowUpsPending = false; // kept in memory only: a new activation does them again (idempotent)
            if (_legacyWatchdog)
            {
                await UnregisterWatchdogAsync();
            }
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            LogFollowUpsDeferred(ex, Id);
        }
    }

    private async Task PublishSummaryAsync(bool bestEffort)
    {
        try
        {
            await taskLog.UpsertAsync(Summary());
        }
        catch (Exception ex) when (bestEffort)
        {
            LogSummaryDeferred(ex, Id);
        }
    }

    private Watchdog Watchdog => _watchdog ??= new(this, WatchdogReminder, () => _options.WatchdogInterval);

    private Task UnregisterWatchdogAsync() => Watchdog.UnregisterAsync();

    /// <summary>Attempts run between requests, so saves can overlap: they share group-committed writes.</summary>
    private GroupCommitWriter Writer => _writer ??= state.GroupCommit(this);

    private Task SaveAsync() => Writer.SaveAsync();

    private void Touch()
    {
        S.UpdatedAt = time.GetUtcNow();
        S.Version++;
    }

    private void AddEvent(TaskEventType type, TaskAttempt? attempt = null)
    {
        _events.Append(S.Events, new TaskEvent(++S.LastEventSequence, time.GetUtcNow(), type, S.State, attempt,
            type == TaskEventType.Result ? S.ResultJson : null, attempt is null ? S.Error : attempt.Error), _options.EventRetention);
        _events.Notify();
    }

    private TaskEventBatch EventsAfter(long sequence) => new(
        _events.After(S.Events, sequence), TaskRules.IsFinished(S.State), _events.FirstHeld(S.Events, S.LastEventSequence));

    private void RequireExists()
    {
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.TaskNotFound, $"Task '{Id}' does not exist.", DomainErrorKind.NotFound);
        }
    }

    private DomainException NoAgentAvailable(string capability) => new(ErrorCodes.TaskNoAgentAvailable,
        $"No healthy agent with capability '{capability}' can take this task now (none registered, none allowed to run the skill, or all queues full).",
        DomainErrorKind.Unavailable)
    {
        RetryAfter = _options.QueueFullRetryAfter,
    };

    private static string Fingerprint(TaskSubmission s, string input) =>
        RequestFingerprint.Of(s.AgentId, s.Capability, s.Skill, input, s.Priority, s.Timeout, s.HardTimeout, s.MaxAttempts);

    private TaskSummary Summary() => new(Id, S.AgentId, S.Skill, S.Priority, S.State, S.Attempts.Count, S.CreatedAt, S.UpdatedAt, S.Error, S.Version) { SubmittedBy = S.SubmittedBy };

    private TaskView View() => new(
        Id, S.AgentId, S.Capability, S.Skill, S.InputJson, S.Priority, S.State, S.Timeout, S.HardTimeout, S.MaxAttempts,
        [.. S.Attempts], S.ResultJson, S.Error, S.IdempotencyKey, S.SubmittedBy, S.CreatedAt, S.UpdatedAt, S.FinishedAt, S.Version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Start for unknown task {TaskId} ignored")]
    private partial void LogUnknownStart(string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} lost attempt {Attempt} to a silo failure ({Lost} lost so far); running it again")]
    private partial void LogAttemptLost(string taskId, int attempt, int lost);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} attempt {Attempt} failed with {Code} (transient: {Transient})")]
    private partial void LogAttemptFailed(string taskId, int attempt, string code, bool transient);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} retries: attempt {Attempt} in {Delay}")]
    private partial void LogRetry(string taskId, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} {State} after {Attempts} attempt(s)")]
    private partial void LogFinished(string taskId, TaskState state, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} failed inside the cluster")]
    private partial void LogExecutionFault(Exception ex, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} gave back the slot of agent {AgentId}, which held it without holding the stored task")]
    private partial void LogSlotReleased(string taskId, string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: follow-ups deferred to the agent's next watchdog check")]
    private partial void LogFollowUpsDeferred(Exception ex, string taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId}: task-log update deferred")]
    private partial void LogSummaryDeferred(Exception ex, string taskId);
}

/// <summary>An attempt ended in failure; carries what the retry policy needs.</summary>
internal sealed class AttemptFailedException(TaskError error, TimeSpan? retryAfter) : Exception(error.Message)
{
    public TaskError Error { get; } = error;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
