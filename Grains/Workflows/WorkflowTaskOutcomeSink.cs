using OrleansAgents.Grains.Tasks;

namespace OrleansAgents.Grains.Workflows;

/// <summary>Tells a run that one of its steps' tasks finished (one-way; the run's reminder catches anything lost).</summary>
public sealed class WorkflowTaskOutcomeSink(IGrainFactory grains) : ITaskOutcomeSink
{
    public ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken)
    {
        if (WorkflowRules.TryParseTaskOrigin(outcome.Origin, out var runId, out var stepId))
        {
            return new ValueTask(grains.GetGrain<IWorkflowRunGrain>(runId).StepTaskFinishedAsync(stepId, outcome.TaskId));
        }

        return ValueTask.CompletedTask;
    }
}
