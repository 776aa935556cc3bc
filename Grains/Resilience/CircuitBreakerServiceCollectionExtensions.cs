using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansAgents.Grains.Resilience;

// In the hosting namespace so AddAgentsSilo (and the API's client mode) call it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class CircuitBreakerServiceCollectionExtensions
{
    /// <summary>
    /// The local breaker views: needed wherever calls are guarded, in silos and in API clients.
    /// </summary>
    public static IServiceCollection AddClusterCircuitBreakers(this IServiceCollection services)
    {
        services.AddValidatedOptions<CircuitBreakerOptions, CircuitBreakerOptionsValidator>(CircuitBreakerOptions.Section)
            .ValidateRules(CircuitBreakerOptionsValidator.BreakerFailures);
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
}
