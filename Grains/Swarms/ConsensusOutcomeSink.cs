using OrleansAgents.Grains.Tasks;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Tells a round (named by the task's <c>consensus:{roundId}</c> origin) that one of its tasks finished.</summary>
public sealed class ConsensusOutcomeSink(IGrainFactory grains) : ITaskOutcomeSink
{
    public ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Origin is { } origin && origin.StartsWith(ConsensusRules.OriginPrefix, StringComparison.Ordinal)
            && ConsensusRules.IsValidId(origin[ConsensusRules.OriginPrefix.Length..]))
        {
            // One-way: the round may be calling this task (cancelling it) right now.
            return new ValueTask(grains.GetGrain<IConsensusRoundGrain>(origin[ConsensusRules.OriginPrefix.Length..]).TaskFinishedAsync(ResultOf(outcome.Task)));
        }

        return ValueTask.CompletedTask;
    }

    public static ConsensusTaskResult ResultOf(TaskView task) => new(
        task.Id,
        task.State == TaskState.Succeeded,
        task.ResultJson,
        task.State == TaskState.Succeeded ? null : task.Error?.Code ?? "task." + TaskMetrics.Label(task.State));
}
