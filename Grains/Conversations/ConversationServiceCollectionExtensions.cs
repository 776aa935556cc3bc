using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Grains.Conversations;

public static class ConversationServiceCollectionExtensions
{
    /// <summary>Hosted agents' conversations: options (section Conversations) checked at start, and the agent factory.</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddOptions<ConversationOptions>().BindConfiguration(ConversationOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationOptions>, ConversationOptionsValidator>());
        services.TryAddSingleton<HostedAgentFactory>();
        services.AddOptions<LlmPriceOptions>().BindConfiguration(LlmOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmPriceOptions>, LlmPriceOptionsValidator>());
        services.AddSkill<AgentRunSkill>(SkillRegistry.AnyCapability);
        return services;
    }
}
