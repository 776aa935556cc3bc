using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Hosting;

public static class SkillRegistryServiceCollectionExtensions
{
    /// <summary>The skill registry: options (section <c>Skills</c>: which agents may run which skill) checked at start.</summary>
    internal static IServiceCollection AddSkillRegistry(this IServiceCollection services)
    {
        services.AddValidatedOptions<SkillOptions>(SkillOptions.Section)
            .ValidateRules(SkillOptionsValidator.AllowFailures);
        services.TryAddSingleton<SkillRegistry>();
        return services;
    }
}
