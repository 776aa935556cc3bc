using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansAgents.Grains.RateLimiting;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>The rate-limit buckets' options and meters.</summary>
    public static IServiceCollection AddRateLimiting(this IServiceCollection services)
    {
        services.AddValidatedOptions<RateLimitingOptions, RateLimitingOptionsValidator>(RateLimitingOptions.Section)
            .ValidateRules(RateLimitingOptionsValidator.TierFailures);
        services.TryAddSingleton<RateLimitMetrics>();
        return services;
    }
}
