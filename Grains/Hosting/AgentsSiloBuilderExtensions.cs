using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Mcp;
using OrleansAgents.Grains.Memory;
using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Grains.Security.Audit;
using OrleansAgents.Grains.Security;
using OrleansAgents.Grains.Jobs;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Http;
using OrleansAgents.Grains.Conversations;
using OrleansAgents.Grains.Skills.Llm;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Workflows;

namespace OrleansAgents.Grains.Hosting;

public static class AgentsSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the grains need (options, meters, clock, breaker views). Storage,
    /// clustering and reminders are the host's choice: the Silo project wires PostgreSQL and
    /// Redis, the API's embedded mode wires memory.
    /// </summary>
    public static ISiloBuilder AddAgentsSilo(this ISiloBuilder builder)
    {
        var services = builder.Services;
        services.AddAgentRegistry();
        services.AddRateLimiting();
        services.AddClusterCircuitBreakers();
        services.AddTasks();
        services.AddTrust();
        services.AddConsensus();
        services.AddCollectiveNetwork();
        services.AddAgentMemory();
        services.AddSecurityGrainServices();

        services.AddWorkflows();
        services.AddSwarms();
        services.AddSkillRegistry();
        services.AddSkill<EchoSkill>(SkillRegistry.AnyCapability);
        services.AddBuiltInSkills();
        services.AddConversations();
        services.AddWorkflowPlanner();
        services.AddMcpTools();

        services.AddPeriodicJob<HealthSweepJob>(JobRules.HealthSweep, JobRules.HealthSweepInterval);
        services.AddPeriodicJob<TrustRecomputeJob>(JobRules.TrustRecompute, JobRules.TrustRecomputeInterval);
        builder.AddPeriodicJobScheduling();
        return builder;
    }

    /// <summary>json.transform for every agent, http.request for "http", llm.chat for "llm"; their settings are checked at start.</summary>
    private static void AddBuiltInSkills(this IServiceCollection services)
    {
        services.TryAddSingleton<SkillMetrics>();
        services.TryAddSingleton<GuardedCalls>();

        services.AddValidatedOptions<HttpSkillOptions, HttpSkillOptionsValidator>(HttpSkillOptions.Section);
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

        services.AddValidatedOptions<LlmOptions, LlmOptionsValidator>(LlmOptions.Section);
        services.AddHttpClient(LlmClients.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .RemoveAllLoggers();
        services.TryAddSingleton<LlmClients>();

        services.AddSkill<JsonTransformSkill>(SkillRegistry.AnyCapability);
        services.AddSkill<HttpRequestSkill>("http");
        services.AddSkill<LlmChatSkill>("llm");
    }
}
