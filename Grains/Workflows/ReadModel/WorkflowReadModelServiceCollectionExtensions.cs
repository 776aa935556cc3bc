using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansAgents.Grains.Workflows.ReadModel;

public static class WorkflowReadModelServiceCollectionExtensions
{
    /// <summary>
    /// The in-memory read model unless the host registered another one first (durable silos
    /// register <c>PostgresWorkflowReadModel</c>).
    /// </summary>
    public static IServiceCollection AddWorkflowReadModel(this IServiceCollection services)
    {
        services.TryAddSingleton<IWorkflowReadModel, InMemoryWorkflowReadModel>();
        return services;
    }
}
