using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Grains.Conversations;
using OrleansAgents.Grains.Mcp;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;
using OrleansAgents.Grains.Tasks;

namespace OrleansAgents.Grains.Agents;

public sealed partial class AgentGrain(
    [PersistentState("agent", StorageNames.Agents)] IPersistentState<AgentState> state,
    [PersistentState("queue", StorageNames.Tasks)] IPersistentState<AgentQueueState> queue,
    IOptions<AgentRegistryOptions> options,
    IOptions<TaskOptions> taskOptions,
    IOptions<McpOptions> mcpOptions,
    SkillRegistry skills,
    IOptions<LlmOptions> llmOptions,
    TaskMetrics taskMetrics,
    ClusterCircuitBreakers breakers,
    TimeProvider time,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain, IRemindable
{
    /// <summary>
    /// The one reminder of an agent that holds tasks (queued or in a slot), instead of one per
    /// task: each tick asks the tasks in its slots to make progress (<see cref="ITaskGrain.CheckAsync"/>).
    /// Registered before the first entry is stored, removed on a tick that finds nothing held.
    /// </summary>
    public const string WatchdogReminder = "agent-watchdog";

    private readonly AgentRegistryOptions _options = options.Value;
    private readonly TaskOptions _taskOptions = taskOptions.Value;

    // When the directory shard last heard this agent's heartbeat; unknown after activation.
    private DateTimeOffset _directoryHeartbeatAt = DateTimeOffset.MinValue;
    private bool _directoryAtCapacity;

    // A slot freed since the queue was last stored (TaskFinishedAsync does not write on its own).
    private bool _queueDirty;

    private Watchdog? _watchdog;
    private bool _watchdogRegistered; // by this activation

    private AgentState S => state.State;

    private AgentQueueState Q => queue.State;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A previous activation may have stored a change but died before the indexes heard of it.
        if (S.Registered && S.IndexedVersion != S.Version)
        {
            await SyncIndexesAsync(previousCapabilities: []);
        }

        PublishQueueDepth();
        if (Q.HoldsAny)
        {
            // Registered already when the entries were stored; renewed in case a tick removed it
            // while a freed slot was not stored yet.
            await EnsureWatchdogAsync();
        }

        if (!IsExternal)
        {
            // The stored slots may include tasks that finished after the last queue write (freeing a
            // slot is not stored on its own): a start is idempotent, and a finished task answers it
            // by giving its slot back. It also re-sends a start a crash may have lost.
            foreach (var taskId in Q.Started)
            {
                _ = GrainFactory.GetGrain<ITaskGrain>(taskId).StartAsync(Id);
            }
        }

        if (Q.QueuedCount > 0 && Q.Running.Count < S.MaxConcurrentTasks)
        {
            await DispatchAsync(store: IsExternal);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        taskMetrics.WithdrawQueueDepth(Id);
        if (_queueDirty)
        {
            try
            {
                await queue.WriteStateAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                // Harmless: the next activation asks its stored slots' tasks, and finished ones free theirs.
                LogQueueWriteDeferred(ex, Id);
            }
        }
    }

    public async Task<AgentView> RegisterAsync(AgentSpec spec)
    {
        AgentValidation.RequireValidId(Id);
        var normalized = HostedAgentValidation.Normalize(AgentValidation.Normalize(spec), llmOptions.Value, skills, mcpOptions.Value);
        if (S.Registered)
        {
            throw new DomainException(ErrorCodes.AgentExists, $"Agent '{Id}' is already registered.", DomainErrorKind.Conflict);
        }

        var now = time.GetUtcNow();
        Apply(normalized);
        S.Registered = true;
        S.RegisteredAt = now;
        S.UpdatedAt = now;
        S.LastHeartbeatAt = now;
        S.Version = 1;
        await state.SaveOrDeactivateAsync(this);
        await SyncIndexesAsync(previousCapabilities: []);
        LogRegistered(Id, S.Capabilities.Count);
        return View(now);
    }

    public ValueTask<AgentView?> GetAsync() =>
        ValueTask.FromResult(S.Registered ? View(time.GetUtcNow()) : null);

    public async Task<AgentView> UpdateAsync(AgentSpec spec)
    {
        RequireLive();
        var normalized = HostedAgentValidation.Normalize(AgentValidation.Normalize(spec), llmOptions.Value, skills, mcpOptions.Value);
        var previous = S.Capabilities.ToList();
        Apply(normalized);
        S.UpdatedAt = time.GetUtcNow();
        S.Version++;
        await state.SaveOrDeactivateAsync(this);
        await SyncIndexesAsync(previous);
        return View(S.UpdatedAt);
    }

    public async Task<AgentView> HeartbeatAsync(AgentHeartbeat heartbeat)
    {
        RequireLive();
        if (heartbeat.ActiveTasks < 0 || heartbeat.ActiveTasks > AgentRules.MaxConcurrentTasksLimit)
        {
            throw new DomainException(ErrorCodes.AgentInvalidActiveTasks,
                $"activeTasks must be between 0 and {AgentRules.MaxConcurrentTasksLimit}.");
        }

        var now = time.GetUtcNow();
        var stored = S.LastHeartbeatAt;
        var activeChanged = heartbeat.ActiveTasks != S.ActiveTasks;
        var wasMarked = S.MarkedUnhealthyAt is not null;
        S.ActiveTasks = heartbeat.ActiveTasks;
        S.LastHeartbeatAt = now;
        S.MarkedUnhealthyAt = null;

        // Coalesce: a steady stream of heartbeats costs one write per sync interval, not one each.
        if (activeChanged || wasMarked || now - stored >= _options.HeartbeatSyncInterval)
        {
            await state.SaveOrDeactivateAsync(this);
        }

        var atCapacity = AtCapacity;
        if (atCapacity != _directoryAtCapacity || now - _directoryHeartbeatAt >= _options.HeartbeatSyncInterval)
        {
            await PublishSummaryAsync();
        }

        return View(now);
    }

    public async Task<AgentView> RetireAsync()
    {
        RequireRegistered();
        if (S.RetiredAt is not null)
        {
            return View(time.GetUtcNow());
        }

        var previous = S.Capabilities.ToList();
        var now = time.GetUtcNow();
        S.RetiredAt = now;
        S.UpdatedAt = now;
        S.Version++;
        await state.SaveOrDeactivateAsync(this);
        await SyncIndexesAsync(previous);
        LogRetired(Id);
        return View(now);
    }

    public async Task<AgentLoad> EnqueueTaskAsync(string taskId, TaskPriority priority, string skill, bool recovering)
    {
        if (Q.Contains(taskId))
        {
            if (recovering && Q.Running.Contains(taskId) && IsExternal)
            {
                // Queued by its record but taken by a worker call that never leased it: offer it again.
                await ReturnToQueueAsync(taskId, priority, skill, atFront: true);
            }
            else if (recovering && Q.Running.Contains(taskId))
            {
                // The task re-announces itself while still queued by its record, so the one-way start
                // sent when it got its slot was lost with a silo: send it again (a running task ignores it).
                _ = GrainFactory.GetGrain<ITaskGrain>(taskId).StartAsync(Id);
            }

            return Load(); // a repeat, e.g. a task re-announcing itself after a crash
        }

        if (!recovering)
        {
            RequireLive();
            if (!skills.IsAllowed(skill, S.Capabilities))
            {
                throw new DomainException(ErrorCodes.TaskSkillNotAllowed,
                    $"Agent '{Id}' may not run skill '{skill}': none of its capabilities ({string.Join(", ", S.Capabilities)}) allows it.");
            }

            if (Q.QueuedCount >= _taskOptions.QueueCapacity)
            {
                throw new DomainException(ErrorCodes.TaskQueueFull,
                    $"Agent '{Id}' has {Q.QueuedCount} tasks queued, its limit; try again later.", DomainErrorKind.Unavailable)
                {
                    RetryAfter = _taskOptions.QueueFullRetryAfter,
                };
            }
        }

        // The watchdog before the entry is stored: a stored entry always has one.
        await EnsureWatchdogAsync();
        Q.For(priority).Add(taskId);
        _queuedSkills[taskId] = skill;
        await DispatchAsync();
        return Load();
    }

    public async Task<bool> RemoveQueuedTaskAsync(string taskId)
    {
        if (!Q.Remove(taskId))
        {
            return false;
        }

        await queue.SaveOrDeactivateAsync(this);
        PublishQueueDepth();
        return true;
    }

    public async Task TaskFinishedAsync(string taskId)
    {
        var queued = Q.Remove(taskId);
        var finishing = Q.Finishing.Remove(taskId);
        await FreeSlotAsync(taskId, queued, dropped: finishing);
    }

    public Task TaskFinishingAsync(string taskId)
    {
        if (!Q.Running.Contains(taskId))
        {
            return Task.CompletedTask; // a repeat, or the follow-ups already reported done
        }

        Q.Finishing.Add(taskId);
        return FreeSlotAsync(taskId, queued: false, dropped: false);
    }

    /// <summary>The task's slot (if it held one) goes to the next queued task; nothing is stored (see DispatchAsync).</summary>
    private async Task FreeSlotAsync(string taskId, bool queued, bool dropped)
    {
        var running = Q.Running.Remove(taskId);
        if ((running && !queued && !IsExternal && Q.QueuedCount == 0) || (dropped && !running && !queued))
        {
            // Nothing waits for a slot: the write is left to the next queue change (see DispatchAsync).
            _queueDirty = true;
            PublishQueueDepth();
            return;
        }

        if (queued || running)
        {
            await DispatchAsync(store: IsExternal);
        }
    }

    public ValueTask<AgentLoad> GetLoadAsync() => ValueTask.FromResult(Load());

    public async Task<bool> MarkUnhealthyIfStaleAsync(DateTimeOffset staleBefore)
    {
        if (!S.Registered || S.RetiredAt is not null || !S.NeedsHeartbeat || S.MarkedUnhealthyAt is not null || S.LastHeartbeatAt >= staleBefore)
        {
            return false;
        }

        S.MarkedUnhealthyAt = time.GetUtcNow();
        await state.SaveOrDeactivateAsync(this);
        LogMarkedUnhealthy(Id, S.LastHeartbeatAt);
        return true;
    }

    /// <summary>
    /// Gives free slots to the best queued tasks, stores the queue if <paramref name="store"/>,
    /// then tells each started task with a one-way call: the agent never waits on a task, so the
    /// two cannot deadlock.
    /// </summary>
    /// <remarks>
    /// Only a new entry must be stored before anyone relies on it (an enqueue: the task's record
    /// is stored after it). Moving a task from the queue to a slot, or dropping a finished one,
    /// changes which list holds an id, not whether it is held, so those writes are left to the
    /// next enqueue, the watchdog tick that finds the agent idle, or the deactivation
    /// (<see cref="_queueDirty"/>). A crash before then leaves stored ids the next activation
    /// resolves by asking their tasks (OnActivateAsync): a finished one gives its slot back, a
    /// started one answers the repeated start as a check. Saves a write per task at load, and the
    /// next task starts without waiting for one.
    /// </remarks>
    private async Task DispatchAsync(bool store = true)
    {
        if (IsExternal)
        {
            await OfferToWorkersAsync(); // workers lease the tasks (AgentGrain.Leases.cs)
            return;
        }

        var started = new List<string>();
        while (Q.Running.Count < Math.Max(1, S.MaxConcurrentTasks) && Q.Dequeue() is { } next)
        {
            Q.Running.Add(next);
            started.Add(next);
        }

        if (store)
        {
            await queue.SaveOrDeactivateAsync(this);
            _queueDirty = false;
        }
        else
        {
            _queueDirty = true;
        }

        PublishQueueDepth();
        foreach (var taskId in started)
        {
            _ = GrainFactory.GetGrain<ITaskGrain>(taskId).StartAsync(Id);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WatchdogReminder)
        {
            return;
        }

        _watchdogRegistered = true; // it ticked, so it exists
        if (!Q.HoldsAny)
        {
            // Nothing held: store a freed slot the queue still shows, then stop ticking until the next entry.
            if (_queueDirty)
            {
                await queue.SaveOrDeactivateAsync(this);
                _queueDirty = false;
            }

            _watchdogRegistered = false;
            await Watchdog.UnregisterAsync();
            return;
        }

        // One-way: each task answers by making progress or giving its slot back, never by waiting on this agent.
        foreach (var taskId in Q.Started)
        {
            _ = GrainFactory.GetGrain<ITaskGrain>(taskId).CheckAsync(Id);
        }

        if (!IsExternal && Q.QueuedCount > 0 && Q.Running.Count < Math.Max(1, S.MaxConcurrentTasks))
        {
            await DispatchAsync(store: false);
        }
    }

    private Watchdog Watchdog => _watchdog ??= new(this, WatchdogReminder, () => _taskOptions.WatchdogInterval);

    /// <summary>One reminder write per activation that holds tasks, not one per task.</summary>
    private async Task EnsureWatchdogAsync()
    {
        if (!_watchdogRegistered)
        {
            await Watchdog.RegisterAsync();
            _watchdogRegistered = true;
        }
    }

    private bool Healthy(DateTimeOffset now) =>
        !S.NeedsHeartbeat || (S.MarkedUnhealthyAt is null && now - S.LastHeartbeatAt <= _options.HeartbeatTimeout);

    private AgentLoad Load() => new(
        Id,
        S.Registered && S.RetiredAt is null && Q.QueuedCount < _taskOptions.QueueCapacity,
        Q.Running.Count,
        Q.QueuedCount,
        S.MaxConcurrentTasks,
        _taskOptions.QueueCapacity,
        S.Capabilities.ToArray(),
        S.Registered && Healthy(time.GetUtcNow()),
        ProviderHealth.Of(breakers, S.Model).Degraded,
        Q.Finishing.Count);

    private void PublishQueueDepth() => taskMetrics.PublishQueueDepth(Id, Q.High.Count, Q.Default.Count, Q.Low.Count, Q.Running.Count);

    private bool AtCapacity => Math.Max(S.ActiveTasks, Q.Running.Count) >= S.MaxConcurrentTasks;

    private void Apply(AgentSpec spec)
    {
        if (spec.Kind == AgentKind.External && S.Kind != AgentKind.External)
        {
            // Becoming external starts the heartbeat clock now, not at the registration long ago.
            S.LastHeartbeatAt = time.GetUtcNow();
            S.MarkedUnhealthyAt = null;
        }

        S.Kind = spec.Kind;
        S.Name = spec.Name;
        S.Description = spec.Description;
        S.Capabilities = [.. spec.Capabilities];
        S.MaxConcurrentTasks = spec.MaxConcurrentTasks;
        S.Metadata = new Dictionary<string, string>(spec.Metadata, StringComparer.Ordinal);
        S.Instructions = spec.Instructions;
        S.Model = spec.Model;
        S.Tools = spec.Tools is null ? null : [.. spec.Tools];
        S.MaxTurns = spec.MaxTurns;
        S.MaxToolCalls = spec.MaxToolCalls;
        S.DailyBudgetUsd = spec.DailyBudgetUsd;
        S.DailyBudgetTokens = spec.DailyBudgetTokens;
    }

    private void RequireRegistered()
    {
        AgentValidation.RequireValidId(Id);
        if (!S.Registered)
        {
            throw new DomainException(ErrorCodes.AgentNotFound, $"Agent '{Id}' is not registered.", DomainErrorKind.NotFound);
        }
    }

    private void RequireLive()
    {
        RequireRegistered();
        if (S.RetiredAt is not null)
        {
            throw new DomainException(ErrorCodes.AgentRetired, $"Agent '{Id}' is retired.", DomainErrorKind.Conflict);
        }
    }

    /// <summary>Brings the capability indexes and the directory in line with the stored state. Idempotent.</summary>
    private async Task SyncIndexesAsync(IReadOnlyCollection<string> previousCapabilities)
    {
        var current = S.RetiredAt is null ? S.Capabilities : [];
        var removed = previousCapabilities.Except(current, StringComparer.Ordinal);
        var calls = current.Select(c => GrainFactory.GetGrain<ICapabilityIndexGrain>(c).AddAsync(Id))
            .Concat(removed.Select(c => GrainFactory.GetGrain<ICapabilityIndexGrain>(c).RemoveAsync(Id)))
            .Append(PublishSummaryAsync());
        await Task.WhenAll(calls);
        S.IndexedVersion = S.Version;
    }

    private async Task PublishSummaryAsync()
    {
        var summary = new AgentSummary(Id, S.RetiredAt is not null, AtCapacity, S.LastHeartbeatAt, S.NeedsHeartbeat);
        await GrainFactory.GetGrain<IAgentDirectoryShardGrain>(AgentRules.DirectoryShardOf(Id)).UpsertAsync(summary);
        _directoryHeartbeatAt = S.LastHeartbeatAt;
        _directoryAtCapacity = summary.AtCapacity;
    }

    private AgentView View(DateTimeOffset now)
    {
        var status = S.NeedsHeartbeat && S.MarkedUnhealthyAt is not null && S.RetiredAt is null
            ? AgentStatus.Unhealthy
            : AgentStatusRules.Derive(S.RetiredAt is not null, AtCapacity, S.NeedsHeartbeat, S.LastHeartbeatAt, now, _options.HeartbeatTimeout);
        var (degraded, until) = ProviderHealth.Of(breakers, S.Model);
        if (degraded && status is AgentStatus.Idle or AgentStatus.Busy)
        {
            status = AgentStatus.Degraded;
        }

        return new(
            Id, S.Name, S.Description, S.Capabilities.ToArray(), S.MaxConcurrentTasks,
            new Dictionary<string, string>(S.Metadata, StringComparer.Ordinal),
            status,
            S.ActiveTasks, S.RegisteredAt, S.UpdatedAt, S.LastHeartbeatAt, S.RetiredAt, S.Version,
            Q.QueuedCount, Q.Running.Count, S.Kind,
            S.Instructions, S.Model, S.Tools?.ToArray(), S.MaxTurns, S.MaxToolCalls, S.DailyBudgetUsd,
            status == AgentStatus.Degraded ? until : null,
            S.DailyBudgetTokens);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} registered with {CapabilityCount} capabilities")]
    private partial void LogRegistered(string agentId, int capabilityCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} marked unhealthy by the health sweep: last heartbeat {LastHeartbeatAt:o}")]
    private partial void LogMarkedUnhealthy(string agentId, DateTimeOffset lastHeartbeatAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId}: queue write on deactivation failed; the next activation frees finished tasks' slots")]
    private partial void LogQueueWriteDeferred(Exception ex, string agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} retired")]
    private partial void LogRetired(string agentId);
}
