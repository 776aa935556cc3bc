using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Workflows.Planner;

namespace OrleansAgents.Grains.Hosting;

public static class WorkflowPlannerServiceCollectionExtensions
{
    /// <summary>Goal → workflow: the planner's options (section Workflows:Planner), checked at start.</summary>
    public static IServiceCollection AddWorkflowPlanner(this IServiceCollection services)
    {
        services.AddValidatedOptions<WorkflowPlannerOptions, WorkflowPlannerOptionsValidator>(WorkflowPlannerOptions.Section)
            .Validate(o => o.MaxRounds <= o.MaxRoundsLimit,
                $"{WorkflowPlannerOptions.Section}:MaxRounds must not exceed {WorkflowPlannerOptions.Section}:MaxRoundsLimit.");
        return services;
    }
}
