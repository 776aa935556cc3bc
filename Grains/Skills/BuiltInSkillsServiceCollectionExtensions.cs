using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Http;
using OrleansAgents.Grains.Skills.Llm;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class BuiltInSkillsServiceCollectionExtensions
{
    /// <summary>
    /// The skills every silo offers: echo and json.transform for every agent, http.request for "http", llm.chat for
    /// "llm"; their HTTP clients, and their settings checked at start. Call after <c>AddSkillRegistry</c>.
    /// </summary>
    public static IServiceCollection AddBuiltInSkills(this IServiceCollection services)
    {
        services.AddSkill<EchoSkill>(SkillRegistry.AnyCapability);
        services.TryAddSingleton<SkillMetrics>();
        services.TryAddSingleton<GuardedCalls>();

        services.AddValidatedOptions<HttpSkillOptions, HttpSkillOptionsValidator>(HttpSkillOptions.Section)
            .ValidateRules(HttpSkillOptionsValidator.ListFailures);
        // Redirects are not followed (the target could leave the allow-list), cookies not kept, and
        // the factory's request logging is off: URLs may carry secrets in their query.
        services.AddHttpClient(HttpRequestSkill.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                // Judged on the resolved addresses, so a name cannot lead into the cluster (SSRF).
                ConnectCallback = new AddressGuard(sp.GetRequiredService<IOptions<HttpSkillOptions>>().Value)
                    .ConnectCallback((host, ct) => System.Net.Dns.GetHostAddressesAsync(host, ct)),
            })
            .RemoveAllLoggers();

        services.AddValidatedOptions<LlmOptions>(LlmOptions.Section)
            .ValidateRules(LlmOptionsValidator.ProviderFailures);
        services.AddHttpClient(LlmClients.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .RemoveAllLoggers();
        services.TryAddSingleton<LlmClients>();

        services.AddSkill<JsonTransformSkill>(SkillRegistry.AnyCapability);
        services.AddSkill<HttpRequestSkill>("http");
        services.AddSkill<LlmChatSkill>("llm");
        return services;
    }
}
