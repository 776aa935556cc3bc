using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using OrleansAgents.Grains.Swarms;

namespace OrleansAgents.Grains.Hosting;

public static class SwarmServiceCollectionExtensions
{
    /// <summary>Particle swarm optimisation: options (section <c>Swarms</c>), meter, skill objectives.</summary>
    public static IServiceCollection AddSwarms(this IServiceCollection services)
    {
        services.AddValidatedOptions<SwarmOptions, SwarmOptionsValidator>(SwarmOptions.Section)
            .ValidateRules<SwarmOptions, IOptions<ReminderOptions>>(SwarmOptionsValidator.ReminderFailures);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<SwarmMetrics>();
        services.TryAddSingleton<SkillObjective>();
        return services;
    }
}
