using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Grains.Tasks;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class ConsensusServiceCollectionExtensions
{
    /// <summary>Swarm consensus rounds: options, meter and the sink that reports their tasks back.</summary>
    public static IServiceCollection AddConsensus(this IServiceCollection services)
    {
        services.AddValidatedOptions<ConsensusOptions, ConsensusOptionsValidator>(ConsensusOptions.Section)
            .ValidateRules(ConsensusOptionsValidator.CrossFieldFailures);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ConsensusMetrics>();
        services.AddTaskOutcomeSink<ConsensusOutcomeSink>();
        return services;
    }
}
