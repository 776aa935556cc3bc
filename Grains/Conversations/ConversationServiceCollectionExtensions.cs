using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Conversations;

public static class ConversationServiceCollectionExtensions
{
    /// <summary>Hosted agents' conversations: options (section Conversations) checked at start, and the agent factory.</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddOptions<ConversationOptions>().BindConfiguration(ConversationOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationOptions>, ConversationOptionsValidator>());
        services.TryAddSingleton<HostedAgentFactory>();
        services.AddSkill<AgentRunSkill>(SkillRegistry.AnyCapability);
        return services;
    }
}
