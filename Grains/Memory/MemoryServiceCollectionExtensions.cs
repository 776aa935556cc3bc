using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using OrleansAgents.Grains.Memory;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class MemoryServiceCollectionExtensions
{
    /// <summary>Agent memory: options and meters.</summary>
    public static IServiceCollection AddAgentMemory(this IServiceCollection services)
    {
        services.AddValidatedOptions<MemoryOptions, MemoryOptionsValidator>(MemoryOptions.Section)
            .ValidateRules<MemoryOptions, IOptions<ReminderOptions>>(MemoryOptionsValidator.CrossFieldFailures);
        services.TryAddSingleton<MemoryMetrics>();
        return services;
    }
}
