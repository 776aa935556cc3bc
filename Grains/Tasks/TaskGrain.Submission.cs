using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// The submission's crash-safe steps: the agent's queue entry, then the record, and the repair an
/// idempotent resend performs when a silo died between them or after.
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
    /// Offers the task to the candidates in turn, before it is stored: the agent that queues it
    /// first, else the last refusal. A candidate that does not answer (its silo is dying) ends the
    /// round with the exception: it may have queued the task, so no second agent is asked; its
    /// entry without a record is given back when it starts the task (<see cref="StartAsync(string)"/>),
    /// and a resend queues the task again.
    /// </summary>
    private async Task<(string? Agent, DomainException? Refusal)> EnqueueAsync(IReadOnlyList<string> candidates, TaskPriority priority, string skill)
    {
        DomainException? refusal = null;
        foreach (var candidate in candidates)
        {
            try
            {
                loadBoard.Routed(candidate);
                loadBoard.Observe(await GrainFactory.GetGrain<IAgentGrain>(candidate).EnqueueTaskAsync(Id, priority, skill, recovering: false));
                return (candidate, null);
            }
            catch (DomainException ex)
            {
                loadBoard.Forget(candidate);
                refusal = ex;
            }
        }

        return (null, refusal);
    }

    /// <summary>
    /// What a crash can leave undone for a stored task: the agent's queue entry (re-announced),
    /// the run of a task whose activation died. Idempotent, so a resend may always call it.
    /// </summary>
    private async Task RepairAsync()
    {
        if (!TaskRules.IsFinished(S.State))
        {
            await ResumeAsync();
        }
    }
}
