using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansAgents.Grains.Tasks;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class TaskServiceCollectionExtensions
{
    /// <summary>Tasks: options, meters, the throughput reports, how an agent is chosen for a task and the task log.</summary>
    public static IServiceCollection AddTasks(this IServiceCollection services)
    {
        services.AddValidatedOptions<TaskOptions, TaskOptionsValidator>(TaskOptions.Section)
            .ValidateRules(TaskOptionsValidator.CrossFieldFailures);
        services.TryAddSingleton<TaskMetrics>();
        services.AddHostedService<TaskThroughputReporter>();
        services.TryAddSingleton<IAgentSelector, LeastLoadedAgentSelector>();
        services.TryAddSingleton<AgentLoadBoard>();
        // Durable silos register PostgresTaskLog first.
        services.TryAddSingleton<ITaskLog, InMemoryTaskLog>();
        return services;
    }
}
