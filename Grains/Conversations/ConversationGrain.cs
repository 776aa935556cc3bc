using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// A conversation with a hosted agent. Turns run one at a time in the background of the
/// activation (a later message queues, FIFO); requests and event watchers are never held up by a
/// turn. Every event is stored with the next checkpoint, and a checkpoint is written after every
/// model response that asks for tools and after every tool result, so a crash loses at most the
/// text of the model call in flight.
/// </summary>
public sealed partial class ConversationGrain(
    [PersistentState("conversation", StorageNames.Tasks)] IPersistentState<ConversationState> state,
    IOptions<ConversationOptions> options,
    HostedAgentFactory factory,
    IOptions<LlmPriceOptions> prices,
    ModelUsageRecorder usage,
    IOptions<RateLimitingOptions> tiers,
    TimeProvider time,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain, IRemindable, IDisposable
{
    public const string ResumeReminder = "conversation-resume";
    private static readonly TimeSpan ChildTaskPoll = TimeSpan.FromSeconds(25);

    // An isolated breaker has no retry time: it stays open until closed by hand.
    private static readonly TimeSpan DegradedRetryAfter = TimeSpan.FromSeconds(30);

    private readonly ConversationOptions _options = options.Value;
    private readonly EventLog<ConversationEvent> _events = new(e => e.Sequence, time);
    private GroupCommitWriter? _writer;
    private Watchdog? _reminder;
    private CancellationTokenSource? _turnCancel;
    private Task? _worker;
    private Task? _currentTurn;
    private bool _deactivating;
    private TaskScheduler? _scheduler;

    private ConversationState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Exists && S.Busy)
        {
            // Nothing runs the unfinished turn in this new activation: its silo died or let it go.
            this.RegisterGrainTimer(_ => { EnsureWorker(); return Task.CompletedTask; },
                new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The turn stays "running" in storage; the reminder resumes it on another activation.
        _deactivating = true;
        if (_turnCancel is not null)
        {
            await _turnCancel.CancelAsync();
        }
    }

    public void Dispose()
    {
        _turnCancel?.Dispose();
    }

    public async Task<ConversationView> CreateAsync(string agentId, string owner)
    {
        if (!ConversationRules.IsValidId(Id))
        {
            throw new DomainException(ErrorCodes.ConversationInvalidId, $"Conversation ids must match {ConversationRules.IdPattern}.");
        }

        if (S.Exists)
        {
            if (S.AgentId != agentId || S.Owner != owner)
            {
                throw new DomainException(ErrorCodes.ConversationInvalidId, $"Conversation '{Id}' already exists.", DomainErrorKind.Conflict);
            }

            // A resend repairs what a crash between the save below and the index add left half done:
            // the conversation stored but missing from its owner's list with the agent (the add is a no-op when listed).
            await GrainFactory.GetGrain<IConversationIndexGrain>(ConversationRules.IndexKey(agentId, owner)).AddAsync(Id);
            return View();
        }

        if (string.IsNullOrWhiteSpace(owner))
        {
            throw new DomainException(ErrorCodes.ConversationInvalidOwner, "A conversation needs an owner.");
        }

        var agent = await GrainFactory.GetGrain<IAgentGrain>(agentId).GetAsync()
            ?? throw new DomainException(ErrorCodes.AgentNotFound, $"Agent '{agentId}' is not registered.", DomainErrorKind.NotFound);
        if (agent.RetiredAt is not null)
        {
            throw new DomainException(ErrorCodes.AgentRetired, $"Agent '{agentId}' is retired.", DomainErrorKind.Conflict);
        }

        if (agent.Model is null)
        {
            throw new DomainException(ErrorCodes.AgentNotHosted,
                $"Agent '{agentId}' has no model, so the cluster cannot converse as it; register it with model {{ provider, model }}.", DomainErrorKind.Conflict);
        }

        var now = time.GetUtcNow();
        S.Exists = true;
        S.AgentId = agentId;
        S.Owner = owner;
        S.CreatedAt = now;
        S.UpdatedAt = now;
        await SaveAsync();
        await GrainFactory.GetGrain<IConversationIndexGrain>(ConversationRules.IndexKey(agentId, owner)).AddAsync(Id);
        return View();
    }

    public ValueTask<ConversationView?> GetAsync() => ValueTask.FromResult(S.Exists ? View() : null);

    public Task<TurnView> PostMessageAsync(string content) => PostMessageAsync(content, null);

    public async Task<TurnView> PostMessageAsync(string content, string? idempotencyKey)
    {
        RequireExists();
        if (string.IsNullOrWhiteSpace(content) || content.Length > ConversationRules.ContentMaxLength)
        {
            throw new DomainException(ErrorCodes.ConversationInvalidContent, $"content is required and at most {ConversationRules.ContentMaxLength} characters.");
        }

        // A client that resends after a lost answer (a silo or the API died) must not start a
        // second turn: the key finds the first, before the queue and size checks refuse it.
        if (idempotencyKey is not null && S.Turns.FirstOrDefault(t => t.IdempotencyKey == idempotencyKey) is { } sent)
        {
            if (sent.EffectiveFingerprint != TurnRecord.FingerprintOf(content))
            {
                throw new DomainException(ErrorCodes.ConversationIdempotencyConflict,
                    $"Idempotency-Key '{idempotencyKey}' was used for turn {sent.Id} with a different message.", DomainErrorKind.Conflict);
            }

            if (sent.State == TurnState.Queued)
            {
                // The first send may have stored the turn but died before its reminder or worker.
                await Reminder.RegisterAsync();
                EnsureWorker();
            }

            return sent.View();
        }

        await RequireCanTakeTurnAsync();
        if (S.Turns.Count(t => t.State == TurnState.Queued) >= _options.MaxQueuedTurns && S.Busy)
        {
            throw new DomainException(ErrorCodes.ConversationQueueFull,
                $"{_options.MaxQueuedTurns} messages already wait behind the running turn; wait for it or cancel it.", DomainErrorKind.Conflict);
        }

        if (S.Turns.Count >= _options.MaxTurns)
        {
            throw new DomainException(ErrorCodes.ConversationFull, $"A conversation holds at most {_options.MaxTurns} turns; start a new one.", DomainErrorKind.Conflict);
        }

        var turn = new TurnRecord
        {
            Id = (S.Turns.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            State = TurnState.Queued,
            Content = content,
            CreatedAt = time.GetUtcNow(),
            IdempotencyKey = idempotencyKey,
            Fingerprint = TurnRecord.FingerprintOf(content),
            TraceParent = WorkTracing.Capture(),
        };
        S.Turns.Add(turn);
        AddEvent(new ConversationEvent(0, default, ConversationEventType.Turn, turn.Id, TurnState.Queued));
        await SaveAsync();
        await Reminder.RegisterAsync();
        EnsureWorker();
        return turn.View();
    }

    public ValueTask<TurnPage> ListTurnsAsync(int limit, string? after)
    {
        RequireExists();
        var start = after is not null && int.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        var page = S.Turns.Skip(start).Take(limit).Select(t => t.View()).ToList();
        var next = start + page.Count < S.Turns.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return ValueTask.FromResult(new TurnPage(page, next));
    }

    public async Task<TurnView> CancelTurnAsync(string turnId)
    {
        RequireExists();
        var turn = S.Turns.FirstOrDefault(t => t.Id == turnId)
            ?? throw new DomainException(ErrorCodes.ConversationTurnNotFound, $"Conversation '{Id}' has no turn '{turnId}'.", DomainErrorKind.NotFound);
        if (turn.State == TurnState.Queued)
        {
            await FinishAsync(turn, TurnState.Cancelled, null);
        }
        else if (turn.State == TurnState.Running && _turnCancel is not null && _currentTurn is not null)
        {
            await _turnCancel.CancelAsync();
            await Task.WhenAny(_currentTurn, Task.Delay(TimeSpan.FromSeconds(10)));
        }
        else if (turn.State == TurnState.Running)
        {
            // Running by the record but not here (its silo died): nothing to stop, just record it.
            await FinishAsync(turn, TurnState.Cancelled, null);
        }

        return turn.View();
    }

    public async Task DeleteAsync()
    {
        if (!S.Exists)
        {
            return;
        }

        foreach (var queued in S.Turns.Where(t => t.State == TurnState.Queued))
        {
            queued.State = TurnState.Cancelled;
        }

        if (_turnCancel is not null)
        {
            await _turnCancel.CancelAsync();
        }

        var index = ConversationRules.IndexKey(S.AgentId, S.Owner);
        await Writer.RunExclusiveAsync(() => state.ClearStateAsync());

        await GrainFactory.GetGrain<IConversationIndexGrain>(index).RemoveAsync(Id);
        await UnregisterReminderAsync();
        Notify();
    }

    public Task<ConversationEventBatch> WaitForEventsAsync(long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        RequireExists();
        return _events.LongPollAsync(
            () => S.Exists ? EventsAfter(afterSequence) : new ConversationEventBatch([], true, S.LastEventSequence + 1),
            b => b.Events.Count > 0 || b.Idle, maxWait, cancellationToken);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder)
        {
            return;
        }

        if (!S.Exists || !S.Busy)
        {
            await UnregisterReminderAsync();
            return;
        }

        EnsureWorker();
    }

    private void EnsureWorker()
    {
        if (_worker is { IsCompleted: false } || _deactivating)
        {
            return;
        }

        _worker = DrainAsync();
    }

    /// <summary>Runs turns until none is left: a running one first (resumed after a crash), then the queue in order.</summary>
    private async Task DrainAsync()
    {
        while (!_deactivating && S.Exists)
        {
            if ((S.Running ?? S.NextQueued) is { } turn)
            {
                _turnCancel?.Dispose();
                _turnCancel = new CancellationTokenSource();
                _currentTurn = RunTurnAsync(turn, _turnCancel.Token);
                await _currentTurn;
                continue;
            }

            // Idle: drop the resume reminder. This worker is not a request, so a message can be
            // posted while the reminder call is in flight: that message saw this worker still
            // running (and started none) and its reminder may just have been removed here. Look
            // again, and re-arm the reminder for a turn that arrived, instead of leaving it queued
            // with neither a worker nor a reminder (seen as an A2A turn stuck in SUBMITTED).
            await UnregisterReminderAsync();
            if (_deactivating || !S.Exists || !S.Busy)
            {
                return;
            }

            await Reminder.RegisterAsync();
        }
    }

    private async Task RunTurnAsync(TurnRecord turn, CancellationToken cancellation)
    {
        var resumed = turn.State == TurnState.Running;
        turn.State = TurnState.Running;
        turn.StartedAt ??= time.GetUtcNow();
        turn.Starts++;
        AddEvent(new ConversationEvent(0, default, ConversationEventType.Turn, turn.Id, TurnState.Running, Text: resumed ? "resumed" : null));
        // One span per turn (a resumed turn: one per start), in the trace of the message that asked for it.
        using var span = WorkTracing.Start("conversation turn", turn.TraceParent,
            ("orleansagents.conversation_id", Id), ("orleansagents.agent_id", S.AgentId), ("orleansagents.turn_id", turn.Id),
            ("orleansagents.resumed", resumed));
        try
        {
            await SaveAsync();
            await ExecuteTurnAsync(turn, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            if (!_deactivating && S.Exists)
            {
                await FinishAsync(turn, TurnState.Cancelled, null);
            }
        }
        catch (SkillException ex)
        {
            await FinishAsync(turn, TurnState.Failed, new ConversationError(ex.Code, ex.Message));
        }
        catch (DomainException ex)
        {
            await FinishAsync(turn, TurnState.Failed, new ConversationError(ex.Code, ex.Message));
        }
        catch (Exception ex) when (S.Exists && !_deactivating)
        {
            LogTurnFailed(logger, ex, Id, turn.Id);
            await FinishAsync(turn, TurnState.Failed, new ConversationError("conversation.turn_failed", ex.GetType().Name + ": " + ex.Message));
        }
    }

    private async Task ExecuteTurnAsync(TurnRecord turn, CancellationToken cancellation)
    {
        _scheduler = TaskScheduler.Current;
        var agent = await GrainFactory.GetGrain<IAgentGrain>(S.AgentId).GetAsync();
        if (agent?.Model is null || agent.RetiredAt is not null)
        {
            throw new DomainException(ErrorCodes.AgentNotHosted, $"Agent '{S.AgentId}' is retired or has no model any more.");
        }

        await AgentBudget.RequireWithinAsync(GrainFactory, agent, time.GetUtcNow());
        await AgentBudget.RequireOwnerWithinAsync(GrainFactory, tiers.Value, S.Owner, time.GetUtcNow());

        var maxToolCalls = agent.MaxToolCalls ?? ConversationRules.DefaultMaxToolCalls;
        var hosted = factory.Create(agent, S.Owner, (skill, callId, input, ct) => RunToolAsync(turn, maxToolCalls, skill, callId, input, ct), $"{Id}:{turn.Id}");
        var session = S.SessionJson is null
            ? await hosted.Agent.CreateSessionAsync(cancellation)
            : await hosted.Agent.DeserializeSessionAsync(JsonDocument.Parse(S.SessionJson).RootElement.Clone(), cancellationToken: cancellation);

        var text = new StringBuilder();
        long input = 0, output = 0, total = 0;
        await foreach (var update in hosted.Agent.RunStreamingAsync(turn.Content, session, cancellationToken: cancellation))
        {
            var checkpoint = false;
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case FunctionCallContent call:
                        text.Clear();
                        AddEvent(new ConversationEvent(0, default, ConversationEventType.ToolCall, turn.Id, CallId: call.CallId, Tool: call.Name,
                            ArgumentsJson: JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions)));
                        checkpoint = true;
                        break;
                    case FunctionResultContent result:
                        text.Clear();
                        AddEvent(new ConversationEvent(0, default, ConversationEventType.ToolResult, turn.Id, CallId: result.CallId,
                            ResultJson: ResultJson(result.Result),
                            TaskId: turn.ToolTasks.GetValueOrDefault(result.CallId)));
                        checkpoint = true;
                        break;
                    case UsageContent usage:
                        input += usage.Details.InputTokenCount ?? 0;
                        output += usage.Details.OutputTokenCount ?? 0;
                        total += usage.Details.TotalTokenCount ?? ((usage.Details.InputTokenCount ?? 0) + (usage.Details.OutputTokenCount ?? 0));
                        break;
                    case TextContent { Text.Length: > 0 } delta when update.Role != ChatRole.Tool:
                        text.Append(delta.Text);
                        AddEvent(new ConversationEvent(0, default, ConversationEventType.Delta, turn.Id, Text: delta.Text));
                        break;
                }
            }

            if (checkpoint)
            {
                await SaveAsync();
            }
        }

        S.SessionJson = (await hosted.Agent.SerializeSessionAsync(session, cancellationToken: cancellation)).GetRawText();
        turn.Reply = text.ToString();
        var cost = prices.Value.Cost(hosted.Client.Provider, hosted.Client.Model, input, output);
        turn.Usage = new TurnUsage(input, output, Math.Max(total, input + output), hosted.Client.Calls, turn.ToolTasks.Count, cost,
            turn.Delegated.Values.Sum(d => d.TotalTokens + d.DelegatedTokens), turn.Delegated.Values.Sum(d => (d.CostUsd ?? 0) + d.DelegatedCostUsd));
        AddEvent(new ConversationEvent(0, default, ConversationEventType.Message, turn.Id, Text: turn.Reply));
        AddEvent(new ConversationEvent(0, default, ConversationEventType.Usage, turn.Id, Usage: turn.Usage));
        await FinishAsync(turn, TurnState.Completed, null);
        // After the turn is stored: a crash in between under-counts one turn rather than charging a resumed turn twice.
        await usage.RecordAsync(S.AgentId, S.Owner, hosted.Client.Provider, hosted.Client.Model, input, output, turn.Usage.TotalTokens, cost ?? 0);
    }

    /// <summary>
    /// A tool call as a child task of this agent with the effect key {conversation}:{turn}:{callId}:
    /// the task id follows from the key, so a resumed turn finds the task its first run submitted
    /// (finished or not) instead of running the skill again. Failures go back to the model as data.
    /// </summary>
    private async Task<JsonElement> RunToolAsync(TurnRecord turn, int maxToolCalls, string skill, string callId, string inputJson, CancellationToken cancellation)
    {
        try
        {
            // The framework awaits with ConfigureAwait(false), so it calls tools on pool threads;
            // grain state and grain services may only be touched on the activation's scheduler.
            return await Task.Factory.StartNew(
                () => RunChildTaskAsync(turn, maxToolCalls, skill, callId, inputJson, cancellation),
                cancellation, TaskCreationOptions.None, _scheduler ?? TaskScheduler.Current).Unwrap();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The model gets a structured error it can react to; the framework's own would be a bare "failed".
            LogToolFailed(logger, ex, Id, turn.Id, callId);
            return ToolError("conversation.tool_failed", ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task<JsonElement> RunChildTaskAsync(TurnRecord turn, int maxToolCalls, string skill, string callId, string inputJson, CancellationToken cancellation)
    {
        if (!turn.ToolTasks.ContainsKey(callId) && turn.ToolTasks.Count >= maxToolCalls)
        {
            return ToolError("conversation.tool_budget", $"This agent may make at most {maxToolCalls} tool calls per message; answer with what you have.");
        }

        var effectKey = $"{Id}:{turn.Id}:{callId}";
        if (!TaskRules.IsValidIdempotencyKey(effectKey))
        {
            effectKey = $"{Id}:{turn.Id}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(callId)))}";
        }

        var taskId = TaskRules.IdForIdempotencyKey(S.Owner, effectKey);
        if (turn.ToolTasks.TryAdd(callId, taskId))
        {
            await SaveAsync();
        }

        var task = GrainFactory.GetGrain<ITaskGrain>(taskId);
        try
        {
            await task.SubmitAsync(new TaskSubmission(S.AgentId, null, skill, inputJson, TaskPriority.Default, null, null, null, effectKey, S.Owner)
            {
                Origin = $"conversation:{Id}:{turn.Id}",
            });
        }
        catch (DomainException ex)
        {
            return ToolError(ex.Code, ex.Message);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.ToolTimeout); // real time, like the skill's own timeouts
        try
        {
            long after = 0;
            while (true)
            {
                var batch = await task.WaitForEventsAsync(after, ChildTaskPoll, timeout.Token).WaitAsync(timeout.Token);
                after = batch.Events.Count > 0 ? batch.Events[^1].Sequence : after;
                if (batch.Finished)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            _ = task.CancelAsync(); // best effort: nobody waits for the result any more
            if (cancellation.IsCancellationRequested)
            {
                throw;
            }

            return ToolError("conversation.tool_timeout", $"The tool did not finish within {_options.ToolTimeout}.");
        }

        var view = await task.GetAsync();
        if (view is not { State: TaskState.Succeeded, ResultJson: { } result })
        {
            return ToolError(view?.Error?.Code ?? "task.failed", view?.Error?.Message ?? "The tool's task did not succeed.");
        }

        var answer = JsonDocument.Parse(result).RootElement.Clone();
        if (skill == AgentRunSkill.SkillName && DelegatedUsage(answer) is { } delegated && !turn.Delegated.ContainsKey(callId))
        {
            // Keyed by call, so a resumed turn that gets the same task's answer again counts it once.
            turn.Delegated[callId] = delegated;
            await SaveAsync();
        }

        return answer;
    }

    /// <summary>The usage an <c>agent.run</c> answer reports (its turn's own and its delegates').</summary>
    private static TurnUsage? DelegatedUsage(JsonElement answer)
    {
        try
        {
            return answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                ? usage.Deserialize<TurnUsage>(JsonSerializerOptions.Web)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A tool result as JSON: our tools answer JSON, which the framework may hand back as its text.</summary>
    private static string ResultJson(object? result)
    {
        switch (result)
        {
            case JsonElement element:
                return element.GetRawText();
            case string text:
                try
                {
                    using var parsed = JsonDocument.Parse(text);
                    return parsed.RootElement.GetRawText();
                }
                catch (JsonException)
                {
                    return JsonSerializer.Serialize(text);
                }

            default:
                return JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions);
        }
    }

    private static JsonElement ToolError(string code, string message) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["error"] = code, ["message"] = message });

    private async Task FinishAsync(TurnRecord turn, TurnState final, ConversationError? error)
    {
        if (turn.Finished || !S.Exists)
        {
            return;
        }

        turn.State = final;
        turn.FinishedAt = time.GetUtcNow();
        turn.Error = error;
        AddEvent(new ConversationEvent(0, default, ConversationEventType.Turn, turn.Id, final, Error: error));
        await SaveAsync();
    }

    /// <summary>Turns run between requests, so saves can overlap: they share group-committed writes.</summary>
    private GroupCommitWriter Writer => _writer ??= this.GroupCommit(() =>
    {
        if (!S.Exists)
        {
            return Task.CompletedTask; // deleted meanwhile: nothing to store
        }

        S.UpdatedAt = time.GetUtcNow();
        return state.WriteStateAsync();
    });

    private Task SaveAsync() => Writer.SaveAsync();

    private Watchdog Reminder => _reminder ??= new(this, ResumeReminder, () => _options.ResumeInterval);

    private Task UnregisterReminderAsync() => Reminder.UnregisterAsync();

    private void AddEvent(ConversationEvent e)
    {
        _events.Append(S.Events, e with { Sequence = ++S.LastEventSequence, At = time.GetUtcNow() }, _options.EventRetention);
        Notify();
    }

    private void Notify() => _events.Notify();

    private ConversationEventBatch EventsAfter(long sequence) => new(
        _events.After(S.Events, sequence), !S.Busy, _events.FirstHeld(S.Events, S.LastEventSequence));

    private ConversationView View() => new(
        Id, S.AgentId, S.Owner, S.CreatedAt, S.UpdatedAt, S.Turns.Count, S.Running?.Id,
        S.Turns.Count(t => t.State == TurnState.Queued), S.LastEventSequence);

    /// <summary>
    /// A message over the agent's daily budget is 429 budget.exceeded. A message to an agent whose
    /// provider's breaker is open is refused (503 with Retry-After) rather than queued: its turn would only fail with llm.circuit_open, and the client can
    /// resend with the same Idempotency-Key once the breaker lets calls through again.
    /// </summary>
    private async Task RequireCanTakeTurnAsync()
    {
        var agent = await GrainFactory.GetGrain<IAgentGrain>(S.AgentId).GetAsync();
        if (agent is null)
        {
            return;
        }

        await AgentBudget.RequireWithinAsync(GrainFactory, agent, time.GetUtcNow());
        await AgentBudget.RequireOwnerWithinAsync(GrainFactory, tiers.Value, S.Owner, time.GetUtcNow());
        if (agent.Status != AgentStatus.Degraded)
        {
            return;
        }

        var wait = agent.DegradedUntil is { } until && until > time.GetUtcNow() ? until - time.GetUtcNow() : DegradedRetryAfter;
        throw new DomainException(ErrorCodes.AgentDegraded,
            $"Agent '{S.AgentId}' is degraded: the circuit breaker of its provider '{agent.Model?.Provider}' is open. Try again later.",
            DomainErrorKind.Unavailable) { RetryAfter = wait };
    }

    private void RequireExists()
    {
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.ConversationNotFound, $"Conversation '{Id}' does not exist.", DomainErrorKind.NotFound);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Turn {TurnId} of conversation {ConversationId} failed")]
    private static partial void LogTurnFailed(ILogger logger, Exception ex, string conversationId, string turnId);

    [LoggerMessage(LogLevel.Warning, "Tool call {CallId} of turn {TurnId} of conversation {ConversationId} failed")]
    private static partial void LogToolFailed(ILogger logger, Exception ex, string conversationId, string turnId, string callId);
}
