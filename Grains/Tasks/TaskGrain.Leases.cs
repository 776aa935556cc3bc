using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Tasks;

/// <summary>An external worker's hold on a task's running attempt. Stored with the task, so it outlives the silo.</summary>
[GenerateSerializer, Alias("OrleansAgents.TaskLease.v1")]
public sealed class TaskLease
{
    /// <summary>Fencing token: the attempt number and a random part, so a token of an older attempt never matches.</summary>
    [Id(0)] public string Token { get; set; } = "";
    [Id(1)] public int Attempt { get; set; }
    [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(3)] public string AgentId { get; set; } = "";
}

/// <summary>
/// The external-worker side of a task: an attempt runs in a worker under a lease instead of in a
/// silo. The lease is stored with the record, a timer (and, after a crash, the watchdog) notices
/// expiry, and an expired lease is a lost attempt under the same limits as a silo crash.
/// </summary>
public sealed partial class TaskGrain : ITaskLeases
{
    private IGrainTimer? _leaseTimer;

    public async Task<TaskLeaseGrant?> AcquireLeaseAsync(string agentId, IReadOnlyList<string>? skills, TimeSpan leaseDuration)
    {
        var agent = GrainFactory.GetGrain<IAgentLeases>(agentId);
        if (!S.Exists || S.AgentId != agentId || TaskRules.IsFinished(S.State))
        {
            // The agent handed out an id it should not hold a slot for any more.
            await GrainFactory.GetGrain<IAgentGrain>(agentId).TaskFinishedAsync(Id);
            return null;
        }

        var now = time.GetUtcNow();
        if (S.State == TaskState.Running)
        {
            // Leased already (a re-announce raced a take): the live lease stands; an expired one goes back to the queue.
            if (S.Lease is { } held && held.ExpiresAt <= now)
            {
                await LeaseExpiredAsync();
            }

            return null;
        }

        if (skills is { Count: > 0 } && !skills.Contains(S.Skill, StringComparer.Ordinal))
        {
            await agent.ReturnToQueueAsync(Id, S.Priority, S.Skill, atFront: true);
            return null;
        }

        if (S.NotBefore is { } notBefore && notBefore > now)
        {
            // Retry backoff: back to the end of the queue without waking anyone; a timer announces it when due.
            await agent.ReturnToQueueAsync(Id, S.Priority, S.Skill, atFront: false);
            ArmTimer(notBefore - now);
            return null;
        }

        if (S.MaxAttempts - S.AttemptsUsed <= 0)
        {
            await FinishAsync(TaskState.DeadLettered, null, S.Attempts.LastOrDefault()?.Error
                ?? new TaskError("task.attempts_exhausted", "No attempts left.", Transient: true));
            return null;
        }

        var attempt = new TaskAttempt(S.Attempts.Count + 1, now, null, AttemptOutcome.Running, null, "worker:" + agentId);
        S.Attempts.Add(attempt);
        S.State = TaskState.Running;
        S.External = true;
        S.NotBefore = null;
        S.Lease = new TaskLease
        {
            Token = $"{attempt.Number}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}",
            Attempt = attempt.Number,
            ExpiresAt = now + leaseDuration,
            AgentId = agentId,
        };
        Touch();
        AddEvent(TaskEventType.State);
        AddEvent(TaskEventType.Attempt, attempt);
        await SaveAsync();
        metrics.Entered(TaskState.Running);
        ArmTimer(leaseDuration);
        _ = PublishSummaryAsync(bestEffort: true);
        return new TaskLeaseGrant(Id, S.Skill, S.InputJson, attempt.Number, Id, now + S.Timeout, S.Lease.Token, S.Lease.ExpiresAt);
    }

    public async Task<TaskLeaseRenewal> RenewLeaseAsync(string leaseToken, TimeSpan leaseDuration)
    {
        var lease = await RequireLeaseAsync(leaseToken);
        lease.ExpiresAt = time.GetUtcNow() + leaseDuration;
        // Stored, so a new activation after a crash does not take a renewed lease for an expired one.
        await SaveAsync();
        return new TaskLeaseRenewal(Id, lease.Attempt, lease.ExpiresAt);
    }

    public async Task<TaskView> CompleteLeaseAsync(string leaseToken, string resultJson)
    {
        await RequireLeaseAsync(leaseToken);
        if (Encoding.UTF8.GetByteCount(resultJson) > _options.MaxInputBytes)
        {
            throw new DomainException(ErrorCodes.TaskInputTooLarge, $"The result is larger than {_options.MaxInputBytes} bytes.", DomainErrorKind.TooLarge);
        }

        S.Lease = null;
        EndAttempt(AttemptOutcome.Succeeded, null);
        await FinishAsync(TaskState.Succeeded, resultJson, null);
        return View();
    }

    public async Task<TaskView> FailLeaseAsync(string leaseToken, TaskError failure, TimeSpan? retryAfter)
    {
        var error = failure;
        var lease = await RequireLeaseAsync(leaseToken);
        S.Lease = null;
        EndAttempt(AttemptOutcome.Failed, error);
        LogAttemptFailed(Id, lease.Attempt, error.Code, error.Transient);
        if (error.Transient && S.MaxAttempts - S.AttemptsUsed > 0)
        {
            var delay = retryAfter ?? Backoff(S.AttemptsUsed);
            await BackToQueueAsync(delay < _options.RetryMaxDelay ? delay : _options.RetryMaxDelay);
            metrics.Retried(S.Skill);
            LogRetry(Id, S.Attempts.Count + 1, delay);
        }
        else
        {
            await FinishAsync(error.Transient ? TaskState.DeadLettered : TaskState.Failed, null, error);
        }

        return View();
    }

    public async Task<TaskLeaseRenewal> ReportProgressAsync(string leaseToken, string message, double? percent, TimeSpan leaseDuration)
    {
        var lease = await RequireLeaseAsync(leaseToken);
        lease.ExpiresAt = time.GetUtcNow() + leaseDuration;
        var progress = JsonSerializer.Serialize(new ProgressPayload(message, percent));
        _events.Append(S.Events, new TaskEvent(++S.LastEventSequence, time.GetUtcNow(), TaskEventType.Progress, S.State, null, progress, null), _options.EventRetention);
        _events.Notify();
        await SaveAsync();
        return new TaskLeaseRenewal(Id, lease.Attempt, lease.ExpiresAt);
    }

    /// <summary>The hook of <see cref="RecoverAsync"/> for leased tasks: they never run in a silo. True when it handled the task.</summary>
    private async Task<bool> RecoverLeasedAsync()
    {
        if (!S.External || S.State != TaskState.Running)
        {
            return false;
        }

        if (S.Lease is not { } lease)
        {
            await BackToQueueAsync(null);
        }
        else if (lease.ExpiresAt <= time.GetUtcNow())
        {
            await LeaseExpiredAsync();
        }
        else
        {
            ArmTimer(lease.ExpiresAt - time.GetUtcNow());
        }

        return true;
    }

    /// <summary>A stale token is a 409: the lease expired (and the task may run elsewhere now) or the task was cancelled.</summary>
    private async Task<TaskLease> RequireLeaseAsync(string leaseToken)
    {
        RequireExists();
        if (S.State == TaskState.Cancelled)
        {
            throw new DomainException(ErrorCodes.TaskCancelled, $"Task '{Id}' was cancelled; stop working on it.", DomainErrorKind.Conflict);
        }

        if (S.State != TaskState.Running || S.Lease is not { } lease ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(lease.Token), Encoding.UTF8.GetBytes(leaseToken)))
        {
            throw LeaseLost();
        }

        if (lease.ExpiresAt <= time.GetUtcNow())
        {
            await LeaseExpiredAsync();
            throw LeaseLost();
        }

        return lease;
    }

    private DomainException LeaseLost() => new(ErrorCodes.TaskLeaseLost,
        $"This lease on task '{Id}' is no longer valid (it expired or the attempt ended); its result is not taken.", DomainErrorKind.Conflict);

    /// <summary>An expired lease: the attempt is lost, as when a silo dies, and the task goes back to the agent's queue.</summary>
    private async Task LeaseExpiredAsync()
    {
        if (S.State != TaskState.Running || S.Lease is not { } lease || lease.ExpiresAt > time.GetUtcNow())
        {
            return;
        }

        var lost = new TaskError("task.lost", $"The worker's lease on attempt {lease.Attempt} expired without renewal.", Transient: true);
        S.Lease = null;
        S.Attempts[^1] = S.Attempts[^1] with { FinishedAt = time.GetUtcNow(), Outcome = AttemptOutcome.Lost, Error = lost };
        S.LostAttempts++;
        AddEvent(TaskEventType.Attempt, S.Attempts[^1]);
        LogAttemptLost(Id, lease.Attempt, S.LostAttempts);
        if (S.LostAttempts > _options.MaxLostAttempts)
        {
            await FinishAsync(TaskState.DeadLettered, null,
                lost with { Message = $"Lost {S.LostAttempts} attempts to expired leases or silo failures; not retried again (poison task?)." });
            return;
        }

        await BackToQueueAsync(null);
    }

    /// <summary>Queued again for the next worker: stored first, then the agent is told (the watchdog re-announces if that call fails).</summary>
    private async Task BackToQueueAsync(TimeSpan? delay)
    {
        S.State = TaskState.Queued;
        S.Lease = null;
        S.NotBefore = delay > TimeSpan.Zero ? time.GetUtcNow() + delay : null;
        Touch();
        AddEvent(TaskEventType.State);
        await SaveAsync();
        metrics.Entered(TaskState.Queued);
        try
        {
            await GrainFactory.GetGrain<IAgentLeases>(S.AgentId).ReturnToQueueAsync(Id, S.Priority, S.Skill, atFront: S.NotBefore is null);
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            LogFollowUpsDeferred(ex, Id);
        }

        if (S.NotBefore is { } due)
        {
            ArmTimer(due - time.GetUtcNow());
        }

        _ = PublishSummaryAsync(bestEffort: true);
    }

    /// <summary>One timer serves both waits a leased task has: the lease's expiry and the end of a retry delay.</summary>
    private void ArmTimer(TimeSpan due)
    {
        _leaseTimer?.Dispose();
        _leaseTimer = this.RegisterGrainTimer(_ => OnLeaseTimerAsync(), new GrainTimerCreationOptions
        {
            DueTime = (due > TimeSpan.Zero ? due : TimeSpan.Zero) + TimeSpan.FromMilliseconds(50),
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    private async Task OnLeaseTimerAsync()
    {
        var now = time.GetUtcNow();
        if (S.State == TaskState.Running && S.Lease is { } lease)
        {
            if (lease.ExpiresAt <= now)
            {
                await LeaseExpiredAsync();
            }
            else
            {
                ArmTimer(lease.ExpiresAt - now); // renewed meanwhile
            }
        }
        else if (S.State == TaskState.Queued && S.External && S.NotBefore is { } due)
        {
            if (due > now)
            {
                ArmTimer(due - now);
                return;
            }

            // Due: wake a waiting worker (the task is already in the queue; this only signals).
            await GrainFactory.GetGrain<IAgentLeases>(S.AgentId).ReturnToQueueAsync(Id, S.Priority, S.Skill, atFront: true);
        }
    }

    private TimeSpan Backoff(int attemptsUsed)
    {
        var delay = _options.RetryBaseDelay * Math.Pow(2, Math.Max(0, attemptsUsed - 1));
        return delay < _options.RetryMaxDelay ? delay : _options.RetryMaxDelay;
    }

    private sealed record ProgressPayload(
        [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message,
        [property: System.Text.Json.Serialization.JsonPropertyName("percent")] double? Percent);
}
