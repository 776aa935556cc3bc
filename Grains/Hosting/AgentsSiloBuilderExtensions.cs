using Microsoft.Extensions.DependencyInjection;

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
        services.AddBuiltInSkills();
        services.AddConversations();
        services.AddWorkflowPlanner();
        services.AddMcpTools();

        return builder.AddPeriodicJobs();
    }
}
