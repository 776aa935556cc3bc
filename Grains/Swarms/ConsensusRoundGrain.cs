using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Collective;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Swarms;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// A consensus round. Tasks report back through <see cref="ConsensusOutcomeSink"/>; the deadline is a
/// grain timer; a reminder, kept while the round or its follow-ups are unfinished, polls the tasks
/// (in case a report was lost with a silo) and enforces the deadline after a crash.
/// </summary>
public sealed partial class ConsensusRoundGrain(
    [PersistentState("consensus-round", StorageNames.Collective)] IPersistentState<ConsensusRoundState> state,
    IOptions<ConsensusOptions> options,
    IOptions<TaskOptions> taskOptions,
    SkillRegistry skills,
    ConsensusMetrics metrics,
    TimeProvider time,
    ILogger<ConsensusRoundGrain> logger) : Grain, IConsensusRoundGrain, IRemindable
{
    private const string Reminder = "consensus-round";
    private readonly ChangeSignal _finished = new(time);
    private GroupCommitWriter? _writer;
    private Watchdog? _reminder;
    private readonly HashSet<string> _scoringSubmitted = new(StringComparer.Ordinal);
    private IGrainTimer? _deadline;

    private ConsensusRoundState S => state.State;

    private GroupCommitWriter Writer => _writer ??= state.GroupCommit(this);

    private Watchdog Watchdog => _reminder ??= new(this, Reminder, () => options.Value.ConsensusReminderInterval);

    private string Id => this.GetPrimaryKeyString();

    private bool Finished => S.Request is not null && S.Status != ConsensusStatus.Running;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Request is not null && (S.Status == ConsensusStatus.Running || !S.FollowUpsDone))
        {
            // Reactivated after a crash or a move: catch up with tasks that finished meanwhile.
            this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
            ArmDeadline();
        }

        return Task.CompletedTask;
    }

    public async Task<ConsensusRoundView> StartAsync(ConsensusRequest request)
    {
        request = request with { Deadline = request.Deadline ?? options.Value.ConsensusDefaultDeadline };
        var fingerprint = ConsensusRoundState.FingerprintOf(request);
        if (S.Request is not null)
        {
            return S.EffectiveFingerprint == fingerprint ? View()
                : throw new DomainException(ErrorCodes.ConsensusConflict, $"Round '{Id}' was started with a different request.", DomainErrorKind.Conflict);
        }

        ConsensusValidation.Check(request, options.Value, taskOptions.Value, skills);
        var chosen = await ChooseAgentsAsync(request);
        var now = time.GetUtcNow();
        S.Request = request;
        S.Fingerprint = fingerprint;
        S.Status = ConsensusStatus.Running;
        S.CreatedAt = now;
        S.DeadlineAt = now + request.Deadline!.Value;
        S.Participants = [.. chosen.Select(c => new ConsensusParticipant(c.AgentId, TaskIdFor(c.AgentId), ConsensusParticipantState.Pending, null, c.Trust,
            request.Aggregation == ConsensusAggregation.TrustWeighted ? c.Trust : request.Aggregation == ConsensusAggregation.Majority ? 1 : null, null, null))];
        // Stored before any task exists, so that the reminder finds every task a crash could orphan.
        try
        {
            await Writer.SaveAsync();
            await Watchdog.RegisterAsync();
        }
        catch
        {
            // Nothing was submitted: forget the round in memory too, so a retry starts afresh.
            DeactivateOnIdle();
            throw;
        }

        ArmDeadline();

        await Task.WhenAll(S.Participants.Select(p => SubmitAsync(p.AgentId, p.TaskId, request.Skill, request.InputJson)));
        await CompleteIfDoneAsync();
        return View();
    }

    public ValueTask<ConsensusRoundView?> GetAsync() => ValueTask.FromResult(S.Request is null ? null : View());

    public async Task<ConsensusRoundView?> WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (S.Request is null || Finished || maxWait <= TimeSpan.Zero)
        {
            return S.Request is null ? null : View();
        }

        await _finished.WaitAsync(maxWait, cancellationToken);
        return View();
    }

    public async Task TaskFinishedAsync(ConsensusTaskResult result)
    {
        if (S.Request is null || Finished)
        {
            return;
        }

        // Not stored here: tasks keep their results, so after a crash the reminder reads them again.
        // Storing the round once at the start and once at the end keeps a round's writes constant.
        if (Apply(result))
        {
            await SubmitScoringTasksAsync();
            await CompleteIfDoneAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Reminder)
        {
            await TickAsync();
        }
    }

    private async Task TickAsync()
    {
        if (S.Request is null)
        {
            await UnregisterAsync();
            return;
        }

        if (!Finished)
        {
            await PollAsync();
            if (time.GetUtcNow() >= S.DeadlineAt)
            {
                await FinishAsync();
                return;
            }

            await CompleteIfDoneAsync();
        }
        else if (!S.FollowUpsDone)
        {
            await FollowUpAsync();
        }
        else
        {
            await UnregisterAsync();
        }
    }

    /// <summary>
    /// Reads the unfinished tasks: submits any a crash kept from existing, applies the ones that
    /// finished by the deadline (answers are not stored until the round finishes: the tasks hold them).
    /// </summary>
    private async Task PollAsync()
    {
        var changed = false;
        var pending = S.Participants.Where(p => p.State == ConsensusParticipantState.Pending).Select(p => (p.TaskId, p.AgentId, Scoring: (string?)null))
            .Concat(S.ScoringTasks.Where(s => !S.Scores.ContainsKey(s.Key)).Select(s => (TaskId: s.Value, AgentId: (string?)null!, Scoring: (string?)s.Key)))
            .ToList();
        foreach (var (taskId, agentId, scoring) in pending)
        {
            var view = await GrainFactory.GetGrain<ITaskGrain>(taskId).GetAsync();
            if (view is null)
            {
                changed |= scoring is null
                    ? await SubmitAsync(agentId, taskId, S.Request!.Skill, S.Request.InputJson)
                    : await SubmitScoringAsync(scoring, taskId);
            }
            else if (TaskRules.IsFinished(view.State) && view.FinishedAt <= S.DeadlineAt)
            {
                changed |= Apply(ConsensusOutcomeSink.ResultOf(view));
            }
            else if (scoring is not null)
            {
                _scoringSubmitted.Add(taskId);
            }
        }

        if (changed)
        {
            await SubmitScoringTasksAsync();
        }
    }

    private async Task<IReadOnlyList<(string AgentId, double Trust)>> ChooseAgentsAsync(ConsensusRequest request)
    {
        var candidates = await GrainFactory.GetGrain<ITaskRouterGrain>(request.Capability).CandidatesAsync(request.Skill, options.Value.ConsensusCandidateScan);
        if (candidates.Count < request.Quorum)
        {
            throw new DomainException(ErrorCodes.ConsensusNotEnoughAgents,
                $"Only {candidates.Count} healthy agent(s) with capability '{request.Capability}' can take the task now; the quorum is {request.Quorum}.",
                DomainErrorKind.Unavailable)
            {
                RetryAfter = taskOptions.Value.QueueFullRetryAfter,
            };
        }

        // Highest global trust first; agents the last computation did not know count as the uniform
        // share 1/n, as the trust-aware router counts them, so newcomers are asked too.
        var trust = await GrainFactory.GetGrain<ITrustReaderGrain>(TrustRules.DefaultDomain).GetGlobalTrustAsync(candidates);
        return [.. candidates
            .Select(id => (AgentId: id, Trust: trust.TryGetValue(id, out var t) ? t : 0))
            .OrderByDescending(c => c.Trust)
            .ThenBy(c => c.AgentId, StringComparer.Ordinal)
            .Take(request.Agents)];
    }

    private string TaskIdFor(string key) => TaskRules.IdForIdempotencyKey(ConsensusRules.OriginPrefix + Id, key);

    /// <summary>Submits one task (idempotent: the id is derived from the round); false when nothing changed.</summary>
    private async Task<bool> SubmitAsync(string? agentId, string taskId, string skill, string inputJson)
    {
        var submission = new TaskSubmission(agentId, agentId is null ? S.Request!.Capability : null, skill, inputJson, TaskPriority.Default, null, null, null, null, S.Request!.SubmittedBy)
        {
            Origin = ConsensusRules.OriginPrefix + Id,
        };
        try
        {
            await GrainFactory.GetGrain<ITaskGrain>(taskId).SubmitAsync(submission);
            return false;
        }
        catch (DomainException ex)
        {
            // The agent refused (queue full, gone, not accepting): it counts as failed.
            return Apply(new ConsensusTaskResult(taskId, false, null, ex.Code));
        }
        catch (Exception ex)
        {
            LogSubmitDeferred(ex, Id, taskId);
            return false;
        }
    }

    private Task<bool> SubmitScoringAsync(string answer, string taskId)
    {
        // Routed by capability like any task, so the router (and its trust policy) picks the judge.
        var input = "{\"input\":" + S.Request!.InputJson + ",\"answer\":" + answer + "}";
        return SubmitAsync(null, taskId, S.Request.ScoringSkill!, input);
    }

    /// <summary>Records a finished answer or score; false when it changes nothing (unknown or repeated).</summary>
    private bool Apply(ConsensusTaskResult result)
    {
        var index = S.Participants.FindIndex(p => p.TaskId == result.TaskId);
        if (index >= 0)
        {
            var p = S.Participants[index];
            if (p.State != ConsensusParticipantState.Pending)
            {
                return false;
            }

            string? answer = null;
            var error = result.Error;
            if (result.Succeeded)
            {
                try
                {
                    answer = ConsensusCanonicalJson.Canonicalize(result.ResultJson ?? "null");
                }
                catch (JsonException)
                {
                    error = "consensus.invalid_answer";
                }
            }

            S.Participants[index] = p with
            {
                State = answer is null ? ConsensusParticipantState.Failed : ConsensusParticipantState.Answered,
                AnswerJson = answer,
                Error = answer is null ? error ?? "failed" : null,
            };
            if (answer is not null && S.Request!.Aggregation == ConsensusAggregation.BestScore && !S.ScoringTasks.ContainsKey(answer))
            {
                // Submitted by SubmitScoringTasksAsync once this change is stored.
                S.ScoringTasks[answer] = TaskIdFor("score:" + answer);
            }

            return true;
        }

        var scored = S.ScoringTasks.FirstOrDefault(s => s.Value == result.TaskId).Key;
        if (scored is null || S.Scores.ContainsKey(scored))
        {
            return false;
        }

        S.Scores[scored] = result.Succeeded ? ParseScore(result.ResultJson) : double.NaN;
        return true;
    }

    /// <summary>Submits the scoring tasks of answers seen since the last call (best-score).</summary>
    private async Task SubmitScoringTasksAsync()
    {
        foreach (var (answer, taskId) in S.ScoringTasks.Where(s => !S.Scores.ContainsKey(s.Key) && !_scoringSubmitted.Contains(s.Value)).ToList())
        {
            _scoringSubmitted.Add(taskId);
            await SubmitScoringAsync(answer, taskId);
        }
    }

    /// <summary>A score is a number, or an object with a numeric <c>score</c>; anything else is NaN (unscored).</summary>
    public static double ParseScore(string? json)
    {
        try
        {
            using var document = JsonDocument.Parse(json ?? "null");
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("score", out var score))
            {
                root = score;
            }

            return root.ValueKind == JsonValueKind.Number && root.TryGetDouble(out var value) && double.IsFinite(value) ? value : double.NaN;
        }
        catch (JsonException)
        {
            return double.NaN;
        }
    }

    private async Task CompleteIfDoneAsync()
    {
        if (!Finished && S.Participants.All(p => p.State != ConsensusParticipantState.Pending) && S.ScoringTasks.Keys.All(S.Scores.ContainsKey))
        {
            await FinishAsync();
        }
    }
}
