using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Workflows;
using OrleansAgents.Grains.Workflows.Definitions;
using OrleansAgents.Grains.Workflows.ReadModel;

namespace OrleansAgents.Grains.Hosting;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>Workflows: options (section <c>Workflows</c>), metrics, validation against the live cluster, the read model, and task outcomes routed to runs.</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddValidatedOptions<WorkflowOptions, WorkflowOptionsValidator>(WorkflowOptions.Section);
        services.TryAddSingleton<WorkflowMetrics>();
        services.TryAddSingleton<IWorkflowEnvironment, ClusterWorkflowEnvironment>();
        services.AddWorkflowReadModel();
        services.AddTaskOutcomeSink<WorkflowTaskOutcomeSink>();
        services.AddHostedService<WorkflowGaugeRefresher>();
        return services;
    }
}
