using Microsoft.AspNetCore.Mvc;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using OrleansAgents.Api.Security;

namespace OrleansAgents.Api.Mcp;

/// <summary>
/// The MCP server at /mcp on the public port: Streamable HTTP, stateless (no session lives in an
/// API process, so any replica answers any request), behind the same authentication as /api.
/// </summary>
public static class McpHosting
{
    public const string Path = "/mcp";

    /// <summary>Same bound as the largest /api body (task inputs); a JSON-RPC message carries one tool call.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static IServiceCollection AddAgentsMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<ApiEndpointInvoker>();
        services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation
                {
                    Name = "orleans-agents",
                    Version = typeof(McpHosting).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
                };
                o.ServerInstructions =
                    "Tools of an Orleans Agents cluster. Each tool is one HTTP API endpoint with its permission and rate-limit cost. "
                    + "Long work returns an id at once: submit_task then poll get_task; start_workflow_run then poll get_workflow_run; ask_agent waits a bounded time, then poll get_agent_answer. "
                    + "Errors are tool errors whose JSON has a stable 'code' and a 'detail'.";
            })
            .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.Stateless)
            .WithTools([typeof(AgentTools), typeof(WorkflowTools), typeof(ConversationTools)])
            .WithRequestFilters(f => f.AddCallToolFilter(ToolArguments.Filter));
        return services;
    }

    /// <summary>Maps /mcp after authentication: an anonymous caller gets the API's 401 ProblemDetails.</summary>
    public static IEndpointRouteBuilder MapAgentsMcp(this IEndpointRouteBuilder app)
    {
        app.MapMcp(Path)
            .RequireAuthenticated()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ExcludeFromDescription();
        return app;
    }
}
