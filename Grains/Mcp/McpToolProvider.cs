using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Mcp;

/// <summary>
/// The <c>mcp:{server}/{tool}</c> tools of hosted agents. A turn's agent gets them from an Agent
/// Framework <see cref="AIContextProvider"/>, because their schemas come from the server's
/// tools/list, which is asynchronous (and cached per server). Only servers in configuration exist
/// here: nothing a request or a registration says can add a URL or a credential.
/// </summary>
public sealed partial class McpToolProvider(
    IOptions<McpOptions> options,
    IHttpClientFactory httpClients,
    GuardedCalls guarded,
    McpMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    public const string ClientName = "mcp";

    private readonly ConcurrentDictionary<string, McpServerConnection> _servers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<McpToolProvider>();

    /// <summary>
    /// A context provider adding the agent's MCP tools to each run, or null when it has none.
    /// <paramref name="effectScope"/> (conversation and turn) makes a call's effect key stable
    /// when the turn is resumed: {scope}:{callId}.
    /// </summary>
    public AIContextProvider? ContextFor(AgentView agent, string? effectScope) =>
        agent.Tools?.Any(McpToolNames.IsMcp) == true ? new AgentTools(this, [.. agent.Tools.Where(McpToolNames.IsMcp)], effectScope) : null;

    public McpServerConnection Connection(string server) => _servers.GetOrAdd(server, name => new McpServerConnection(
        name, options.Value.Servers[name], httpClients.CreateClient(ClientName), guarded, metrics, time, loggers));

    private async Task<List<AITool>> ToolsAsync(IReadOnlyList<string> names, string? effectScope, CancellationToken cancellationToken)
    {
        var tools = new List<AITool>();
        foreach (var group in names.Select(Parse).Where(t => t.Server is not null).GroupBy(t => t.Server!))
        {
            var connection = Connection(group.Key);
            IReadOnlyList<Tool> listed;
            try
            {
                listed = await connection.ListToolsAsync(cancellationToken);
            }
            catch (SkillException ex)
            {
                // The server is down or refuses: offer its tools anyway with an open schema, so a call
                // answers the model with the reason (and an open breaker spares the server) instead of
                // the model not knowing the tool exists.
                LogListFailed(_logger, group.Key, ex.Code);
                listed = [];
            }

            foreach (var (_, name) in group)
            {
                var tool = listed.FirstOrDefault(t => t.Name == name);
                tools.Add(new McpTool(connection, name, tool, effectScope));
            }
        }

        return tools;
    }

    private (string? Server, string Name) Parse(string tool) =>
        McpToolNames.TryParse(tool, out var server, out var name) && options.Value.Servers.ContainsKey(server) ? (server, name) : (null, "");

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _servers.Values)
        {
            await connection.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "tools/list of MCP server {Server} failed ({Code}); its tools are offered with an open schema")]
    private static partial void LogListFailed(ILogger logger, string server, string code);

    private sealed class AgentTools(McpToolProvider provider, IReadOnlyList<string> names, string? effectScope) : AIContextProvider
    {
        protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default) =>
            new() { Tools = await provider.ToolsAsync(names, effectScope, cancellationToken) };
    }

    /// <summary>A remote tool as the model sees it; failures answer the model as data, like skills' tool errors.</summary>
    private sealed class McpTool(McpServerConnection connection, string tool, Tool? listed, string? effectScope) : AIFunction
    {
        private static readonly JsonElement OpenSchema = JsonSerializer.SerializeToElement(new { type = "object" });

        public override string Name => McpToolNames.FunctionName(connection.Server, tool);

        public override string Description => listed?.Description ?? $"Tool '{tool}' of MCP server '{connection.Server}' (its description is unavailable right now).";

        public override JsonElement JsonSchema => listed?.InputSchema ?? OpenSchema;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var callId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId is { Length: > 0 } id ? id : Guid.NewGuid().ToString("N");
            var effectKey = effectScope is null ? callId : $"{effectScope}:{callId}";
            try
            {
                var result = await connection.CallToolAsync(tool, new Dictionary<string, object?>(arguments, StringComparer.Ordinal), effectKey, cancellationToken);
                var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
                if (result.IsError == true)
                {
                    return Error("mcp.tool_error", text);
                }

                // Text goes to the model as the server wrote it (the framework would quote a JSON string).
                return result.StructuredContent is { } structured ? structured : text;
            }
            catch (SkillException ex)
            {
                return Error(ex.Code, ex.Message);
            }
        }

        private static JsonElement Error(string code, string message) =>
            JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["error"] = code, ["message"] = message });
    }
}
