using OrleansAgents.Collective;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Trust;

namespace OrleansAgents.Grains.Collective;

/// <summary>
/// Delegation edges. Tasks record who submitted them as the caller's principal (a user or an API
/// key), never an agent; so a delegation is a finished task whose origin is <c>agent:{id}</c>
/// (the agent that handed the work on) run by a different agent. Positive: succeeded; negative:
/// failed or dead-lettered; cancelled tasks count as neither. Keyed by <c>task:{id}</c>.
/// </summary>
public sealed class NetworkOutcomeSink(IGrainFactory grains) : ITaskOutcomeSink
{
    public async ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken)
    {
        var delegator = TrustOutcomeSink.RaterOf(outcome);
        if (!NetworkRecorder.IsAgent(delegator) || delegator == outcome.AgentId || !NetworkRecorder.IsAgent(outcome.AgentId))
        {
            return;
        }

        var succeeded = outcome.State == TaskState.Succeeded ? 1 : 0;
        var failed = outcome.State is TaskState.Failed or TaskState.DeadLettered ? 1 : 0;
        await NetworkRecorder.AddAsync(grains, "task:" + outcome.TaskId,
            [new NetworkEdge(delegator, outcome.AgentId, NetworkEdgeKind.Delegation, 1, succeeded, failed)]);
    }
}
