namespace OrleansAgents.Errors;

/// <summary>Codes of hosted agents' MCP tools (issue 16): <c>mcp:{server}/{tool}</c> in a registration.</summary>
public static partial class ErrorCodes
{
    public const string AgentUnknownMcpServer = "agent.unknown_mcp_server";
    public const string AgentMcpToolNotAllowed = "agent.mcp_tool_not_allowed";
}
