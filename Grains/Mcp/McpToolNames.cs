using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Mcp;

/// <summary><c>mcp:{server}/{tool}</c> in an agent's tools, and the function name the model sees.</summary>
public static class McpToolNames
{
    public const string Prefix = "mcp:";

    public static bool IsMcp(string tool) => tool.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool TryParse(string tool, out string server, out string name)
    {
        server = name = "";
        if (!IsMcp(tool) || tool.IndexOf('/', StringComparison.Ordinal) is var slash && slash < 0)
        {
            return false;
        }

        server = tool[Prefix.Length..slash];
        name = tool[(slash + 1)..];
        return server.Length > 0 && name.Length > 0;
    }

    /// <summary>OpenAI function names allow letters, digits, _ and -; server names have no '_'.</summary>
    public static string FunctionName(string server, string tool) => $"mcp_{server}_{tool.Replace('.', '_')}";

    /// <summary>Registration check: the server is configured and the tool is on its allow-list.</summary>
    public static void Validate(string tool, McpOptions options)
    {
        if (!TryParse(tool, out var server, out var name))
        {
            throw new DomainException(ErrorCodes.AgentInvalidTool, $"tool '{tool}' must be mcp:{{server}}/{{tool}}.");
        }

        if (!options.Servers.TryGetValue(server, out var settings))
        {
            var known = options.Servers.Count == 0 ? "none is configured" : "known: " + string.Join(", ", options.Servers.Keys.Order(StringComparer.Ordinal));
            throw new DomainException(ErrorCodes.AgentUnknownMcpServer, $"tool '{tool}': MCP server '{server}' is not configured under Mcp:Servers ({known}).");
        }

        if (!settings.AllowedTools.Contains(name, StringComparer.Ordinal))
        {
            throw new DomainException(ErrorCodes.AgentMcpToolNotAllowed,
                $"tool '{tool}': '{name}' is not among Mcp:Servers:{server}:AllowedTools ({string.Join(", ", settings.AllowedTools)}).");
        }
    }
}
