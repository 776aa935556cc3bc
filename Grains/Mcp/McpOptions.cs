using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

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
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Calls per minute from one process (a token bucket per server and process).</summary>
    [Range(1, int.MaxValue)]
    public int CallsPerMinute { get; set; } = 60;

    /// <summary>How long a tools/list answer (the tools' schemas) is reused.</summary>
    [Range(0, int.MaxValue)]
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

/// <summary>
/// A server's bounds, generated from their data annotations. The generator does not enumerate a dictionary, so
/// <see cref="McpOptionsValidator.ServerFailures"/> runs this for each server.
/// </summary>
[OptionsValidator]
internal sealed partial class McpServerOptionsValidator : IValidateOptions<McpServerOptions>;

/// <summary>The rules of <c>Mcp</c>, added in <c>AddMcpTools</c>: each server's name, URL, credential pair, tools and bounds.</summary>
internal static class McpOptionsValidator
{
    private static readonly McpServerOptionsValidator Server = new();

    internal static IEnumerable<string> ServerFailures(McpOptions options)
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

            errors.AddRange(Server.FailuresOf(prefix, s));
        }

        return errors;
    }
}
