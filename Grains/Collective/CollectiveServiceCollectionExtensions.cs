using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Collective;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Trust;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class CollectiveServiceCollectionExtensions
{
    /// <summary>The collaboration network: options, the delegation sink and the rating observer feeding its shards.</summary>
    public static IServiceCollection AddCollectiveNetwork(this IServiceCollection services)
    {
        services.AddValidatedOptions<CollectiveOptions, CollectiveOptionsValidator>(CollectiveOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddTaskOutcomeSink<NetworkOutcomeSink>();
        services.AddSingleton<ITrustRatingObserver, NetworkRatingObserver>();
        return services;
    }
}
