using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Agents;

/// <summary>
/// An external agent's queue as workers see it: a lease call takes queued task ids (and counts as
/// the heartbeat), a long-poll waits for work. No task is started in a silo for such an agent;
/// the task grain grants the lease, so the agent still never waits on a task.
/// </summary>
public sealed partial class AgentGrain : IAgentLeases
{
    /// <summary>The longest a worker's long-poll waits inside the grain; the API loops for longer waits.</summary>
    public static readonly TimeSpan MaxWorkWait = TimeSpan.FromSeconds(30);

    // Skill of each queued task, so a worker's skill filter is applied without asking the task.
    // Memory only: after a reactivation an unknown entry counts as a match and the task grain checks.
    private readonly Dictionary<string, string> _queuedSkills = new(StringComparer.Ordinal);
    private readonly ChangeSignal _work = new(time);

    private bool IsExternal => S.Kind == AgentKind.External;

    public async Task<IReadOnlyList<string>> TakeForLeaseAsync(int max, IReadOnlyList<string>? skills)
    {
        RequireLive();
        if (!IsExternal)
        {
            throw new DomainException(ErrorCodes.AgentNotExternal,
                $"Agent '{Id}' is hosted: the cluster runs its tasks. Register it with kind 'external' to lease them to workers.", DomainErrorKind.Conflict);
        }

        // A lease call is the worker's heartbeat.
        await HeartbeatAsync(new AgentHeartbeat(Math.Min(Q.Running.Count, AgentRules.MaxConcurrentTasksLimit)));

        var room = Math.Min(max, Math.Max(1, S.MaxConcurrentTasks) - Q.Running.Count);
        var taken = new List<string>();
        foreach (var list in new[] { Q.High, Q.Default, Q.Low })
        {
            for (var i = 0; i < list.Count && taken.Count < room;)
            {
                var id = list[i];
                if (skills is { Count: > 0 } && _queuedSkills.TryGetValue(id, out var skill) && !skills.Contains(skill, StringComparer.Ordinal))
                {
                    i++;
                    continue;
                }

                list.RemoveAt(i);
                _queuedSkills.Remove(id);
                Q.Running.Add(id);
                taken.Add(id);
            }
        }

        if (taken.Count > 0)
        {
            await queue.SaveOrDeactivateAsync(this);
            PublishQueueDepth();
        }

        return taken;
    }

    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        _work.WaitAsync(maxWait < MaxWorkWait ? maxWait : MaxWorkWait, cancellationToken);

    public async Task ReturnToQueueAsync(string taskId, TaskPriority priority, string skill, bool atFront)
    {
        var changed = Q.Running.Remove(taskId);
        if (!Q.High.Contains(taskId) && !Q.Default.Contains(taskId) && !Q.Low.Contains(taskId))
        {
            await EnsureWatchdogAsync(); // a new entry is stored below
            var list = Q.For(priority);
            if (atFront)
            {
                list.Insert(0, taskId);
            }
            else
            {
                list.Add(taskId);
            }

            changed = true;
        }

        _queuedSkills[taskId] = skill;
        if (changed)
        {
            await queue.SaveOrDeactivateAsync(this);
            PublishQueueDepth();
        }

        if (atFront)
        {
            SignalWork();
        }
    }

    /// <summary>The hook of the dispatcher for external agents: store the queue and wake a waiting worker instead of starting tasks.</summary>
    private async Task OfferToWorkersAsync()
    {
        await queue.SaveOrDeactivateAsync(this);
        PublishQueueDepth();
        SignalWork();
    }

    private void SignalWork() => _work.Notify();
}
