using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Jobs;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Trust;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class TrustServiceCollectionExtensions
{
    /// <summary>
    /// EigenTrust reputation: options, meter, the task-outcome sink, the periodic recompute and the
    /// trust-aware agent selector (replacing the default one, so call it after the task services).
    /// </summary>
    public static IServiceCollection AddTrust(this IServiceCollection services)
    {
        services.AddValidatedOptions<TrustOptions, TrustOptionsValidator>(TrustOptions.Section)
            .ValidateRules(TrustOptionsValidator.OtherFailures);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<TrustMetrics>();
        services.AddTaskOutcomeSink<TrustOutcomeSink>();
        services.AddTrustRecomputation<TrustRecomputation>();
        services.Replace(ServiceDescriptor.Singleton<IAgentSelector, TrustAgentSelector>());
        return services;
    }
}
