using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Memory;
using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Hosting;

public static class AgentsSiloBuilderExtensions
{
    /// <summary>
    /// The local breaker views: needed wherever calls are guarded, in silos and in API clients.
    /// </summary>
    public static IServiceCollection AddClusterCircuitBreakers(this IServiceCollection services)
    {
        services.AddOptions<CircuitBreakerOptions>().BindConfiguration(CircuitBreakerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CircuitBreakerOptions>, CircuitBreakerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<BreakerMetrics>();
        if (!services.Any(d => d.ServiceType == typeof(ClusterCircuitBreakers)))
        {
            services.AddSingleton<ClusterCircuitBreakers>();
            services.AddHostedService(sp => sp.GetRequiredService<ClusterCircuitBreakers>());
        }

        return services;
    }

    /// <summary>
    /// Registers what the grains need (options, meters, clock, breaker views). Storage,
    /// clustering and reminders are the host's choice: the Silo project wires PostgreSQL and
    /// Redis, the API's embedded mode wires memory.
    /// </summary>
    public static ISiloBuilder AddAgentsSilo(this ISiloBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentRegistryOptions>().BindConfiguration(AgentRegistryOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentRegistryOptions>, AgentRegistryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<AgentMetrics>();
        services.AddHostedService<AgentDirectoryWarmup>();

        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.TryAddSingleton<RateLimitMetrics>();
        services.AddClusterCircuitBreakers();

        services.AddOptions<MemoryOptions>().BindConfiguration(MemoryOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryOptions>, MemoryOptionsValidator>());
        services.TryAddSingleton<MemoryMetrics>();

        services.AddSkillRegistry();
        services.AddSkill<EchoSkill>(SkillRegistry.AnyCapability);
        return builder;
    }
}
