using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Grains.Workflows.ReadModel;

namespace OrleansAgents.Grains.Workflows;

/// <summary>Answers searches and statistics from the read model on whichever silo is closest (stateless).</summary>
[StatelessWorker]
public sealed class WorkflowQueryGrain(IWorkflowReadModel readModel, IOptions<WorkflowOptions> options) : Grain, IWorkflowQueryGrain
{
    public Task<WorkflowPage> SearchAsync(WorkflowSearch search) => readModel.SearchAsync(search);

    public Task<WorkflowRunPage> ListRunsAsync(string workflowId, WorkflowRunStatus? status, int limit, string? cursor) =>
        readModel.ListRunsAsync(workflowId, status, limit, cursor);

    public Task<WorkflowStatistics> StatisticsAsync() => readModel.StatisticsAsync(options.Value.StatisticsTop);
}
