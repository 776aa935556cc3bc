using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansAgents.Grains.Agents;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class AgentRegistryServiceCollectionExtensions
{
    /// <summary>The agent registry: options, the clock, its meters and the directory warm-up at start.</summary>
    public static IServiceCollection AddAgentRegistry(this IServiceCollection services)
    {
        services.AddValidatedOptions<AgentRegistryOptions, AgentRegistryOptionsValidator>(AgentRegistryOptions.Section)
            .Validate(o => o.HeartbeatSyncInterval < o.HeartbeatTimeout, $"{AgentRegistryOptions.Section}:HeartbeatSyncInterval must be below HeartbeatTimeout.");
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<AgentMetrics>();
        services.AddHostedService<AgentDirectoryWarmup>();
        return services;
    }
}
