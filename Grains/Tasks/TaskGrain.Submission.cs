using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// The submission's crash-safe steps: watchdog, record, queue entry, and the repair an
/// idempotent resend performs when a silo died between them.
/// </summary>
public sealed partial class TaskGrain
{
    private TaskRecord NewRecord(TaskSubmission submission, ISkill skill, string input, string fingerprint, string agentId)
    {
        var now = time.GetUtcNow();
        var timeout = submission.Timeout ?? _options.DefaultTimeout;
        return new TaskRecord
        {
            Exists = true,
            Capability = submission.Capability,
            AgentId = agentId,
            Skill = skill.Name,
            InputJson = input,
            Priority = submission.Priority,
            Timeout = timeout,
            HardTimeout = submission.HardTimeout ?? timeout + _options.HardTimeoutGrace,
            MaxAttempts = submission.MaxAttempts ?? TaskRules.DefaultMaxAttempts,
            IdempotencyKey = submission.IdempotencyKey,
            SubmittedBy = submission.SubmittedBy,
            Origin = submission.Origin,
            TraceParent = WorkTracing.Capture(),
            Fingerprint = fingerprint,
            State = TaskState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
    }

    /// <summary>
    /// Offers the stored task to the candidates in turn; null once one queued it, else the last
    /// refusal. A candidate that does not answer (its silo is dying) ends the round with the
    /// exception: it may have queued the task, so no second agent is asked (two queues holding
    /// one task would leak a slot). The stored record names that agent, and the watchdog or a
    /// resend announces the task to it again.
    /// </summary>
    private async Task<DomainException?> EnqueueAsync(IReadOnlyList<string> candidates)
    {
        DomainException? refusal = null;
        foreach (var candidate in candidates)
        {
            if (S.AgentId != candidate)
            {
                S.AgentId = candidate;
                await SaveAsync();
            }

            try
            {
                await GrainFactory.GetGrain<IAgentGrain>(candidate).EnqueueTaskAsync(Id, S.Priority, S.Skill, recovering: false);
                return null;
            }
            catch (DomainException ex)
            {
                refusal = ex;
            }
        }

        return refusal;
    }

    /// <summary>
    /// Every candidate refused: nothing stays behind. The record goes first; if that fails the
    /// task stays stored with its watchdog (a resend then finds and repairs it).
    /// </summary>
    private async Task DiscardRejectedAsync()
    {
        await Writer.RunExclusiveAsync(() => state.ClearStateAsync());
        state.State = new TaskRecord();
        try
        {
            await UnregisterWatchdogAsync();
        }
        catch (Exception ex)
        {
            // Harmless: the watchdog finds no record on its next tick and unregisters itself.
            LogSummaryDeferred(ex, Id);
        }
    }

    /// <summary>
    /// What a crash between the submission's steps can leave undone: the watchdog, the queue
    /// entry, the run of a task whose activation died. Idempotent, so a resend may always call it.
    /// </summary>
    private async Task RepairAsync()
    {
        if (TaskRules.IsFinished(S.State))
        {
            return;
        }

        await RegisterWatchdogAsync();
        switch (S.State)
        {
            case TaskState.Queued:
                await GrainFactory.GetGrain<IAgentGrain>(S.AgentId).EnqueueTaskAsync(Id, S.Priority, S.Skill, recovering: true);
                break;
            case TaskState.Running when !ExecutingHere:
                await RecoverAsync();
                break;
        }
    }
}
