using OrleansAgents.Grains.Mcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansAgents.Grains.Hosting;

public static class McpServiceCollectionExtensions
{
    /// <summary>Hosted agents' MCP tools: servers from Mcp:Servers (checked at start), their client, metrics.</summary>
    public static IServiceCollection AddMcpTools(this IServiceCollection services)
    {
        services.AddValidatedOptions<McpOptions>(McpOptions.Section)
            .ValidateRules(McpOptionsValidator.ServerFailures);
        services.TryAddSingleton<McpMetrics>();
        services.TryAddSingleton<McpToolProvider>();
        // Redirects are not followed (the configured URL is the only target) and request logging is
        // off: the auth header carries a secret.
        services.AddHttpClient(McpToolProvider.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .RemoveAllLoggers();
        return services;
    }
}
