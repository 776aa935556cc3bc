using OrleansAgents.Grains.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Grains.Hosting;

public static class ConversationServiceCollectionExtensions
{
    /// <summary>Hosted agents' conversations: options (section Conversations) checked at start, and the agent factory.</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddValidatedOptions<ConversationOptions, ConversationOptionsValidator>(ConversationOptions.Section);
        services.TryAddSingleton<HostedAgentFactory>();
        services.TryAddSingleton<AgentUsageMetrics>();
        services.TryAddSingleton<ModelUsageRecorder>();
        services.AddValidatedOptions<LlmPriceOptions, LlmPriceOptionsValidator>(LlmOptions.Section)
            .ValidateRules<LlmPriceOptions, IOptions<LlmOptions>>(LlmPriceOptionsValidator.ProviderFailures);
        services.AddSkill<AgentRunSkill>(SkillRegistry.AnyCapability);
        return services;
    }
}
