using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Mcp;

/// <summary>One remote MCP server hosted agents may use (Streamable HTTP).</summary>
public sealed class McpServerOptions
{
    /// <summary>The server's MCP endpoint, e.g. <c>https://tools.example.com/mcp</c>. Only from configuration.</summary>
    public string Url { get; set; } = "";

    /// <summary>The header that carries the credential (e.g. <c>Authorization</c>); none when empty.</summary>
    public string? AuthHeader { get; set; }

    /// <summary>A secret (e.g. <c>Bearer …</c>) set from a secret store or environment variable; never logged or returned.</summary>
    public string? AuthValue { get; set; }

    /// <summary>The server's tools agents may use; a registration naming another is refused.</summary>
    public List<string> AllowedTools { get; set; } = [];

    /// <summary>Per call (tools/list or tools/call), including connecting.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Calls per minute from one process (a token bucket per server and process).</summary>
    public int CallsPerMinute { get; set; } = 60;

    /// <summary>How long a tools/list answer (the tools' schemas) is reused.</summary>
    public int ToolListTtlSeconds { get; set; } = 300;
}

/// <summary>Section <c>Mcp</c>: <c>Mcp:Servers:{name}</c>.</summary>
public sealed partial class McpOptions
{
    public const string Section = "Mcp";

    public Dictionary<string, McpServerOptions> Servers { get; set; } = new(StringComparer.Ordinal);

    // Server names become breaker names (mcp:{server}), metric labels and part of function names:
    // no '_' so that mcp_{server}_{tool} splits one way only.
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}\\z", RegexOptions.CultureInvariant)]
    internal static partial Regex ServerNameRegex();

    // MCP tool names as the spec suggests them (letters, digits, _ - .).
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}\\z", RegexOptions.CultureInvariant)]
    internal static partial Regex ToolNameRegex();
}

public sealed class McpOptionsValidator : IValidateOptions<McpOptions>
{
    public ValidateOptionsResult Validate(string? name, McpOptions options)
    {
        var errors = new List<string>();
        foreach (var (server, s) in options.Servers)
        {
            var prefix = $"{McpOptions.Section}:Servers:{server}";
            if (!McpOptions.ServerNameRegex().IsMatch(server))
            {
                errors.Add($"{prefix}: the server name must match ^[a-z0-9][a-z0-9-]{{0,31}}$ (it becomes the breaker mcp:{{server}}).");
            }

            if (!Uri.TryCreate(s.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{prefix}:Url must be an absolute http(s) URL (was '{s.Url}').");
            }

            if (string.IsNullOrEmpty(s.AuthHeader) != string.IsNullOrEmpty(s.AuthValue))
            {
                errors.Add($"{prefix}: AuthHeader and AuthValue are set together or not at all.");
            }

            foreach (var tool in s.AllowedTools.Where(t => !McpOptions.ToolNameRegex().IsMatch(t) || McpToolNames.FunctionName(server, t).Length > 64))
            {
                errors.Add($"{prefix}:AllowedTools: '{tool}' must match ^[A-Za-z0-9_.-]{{1,64}}$ and mcp_{{server}}_{{tool}} be at most 64 characters.");
            }

            if (s.TimeoutSeconds is < 1 or > 600 || s.CallsPerMinute < 1 || s.ToolListTtlSeconds < 0)
            {
                errors.Add($"{prefix}: TimeoutSeconds is 1-600, CallsPerMinute at least 1, ToolListTtlSeconds at least 0.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
