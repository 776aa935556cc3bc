using System.Text;

namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/agents and PUT /api/agents/{id}. Unknown fields are rejected.</summary>
public sealed record AgentRequest(
    string? Id,
    string? Name,
    string? Description,
    List<string>? Capabilities,
    int? MaxConcurrentTasks,
    Dictionary<string, string>? Metadata,
    AgentKind? Kind = null,
    string? Instructions = null,
    AgentModelRequest? Model = null,
    List<string>? Tools = null,
    int? MaxTurns = null,
    int? MaxToolCalls = null,
    decimal? DailyBudgetUsd = null,
    long? DailyBudgetTokens = null)
{
    /// <summary>An agent that names no kind is hosted: its skills run in the silos, so it needs no heartbeat.</summary>
    public AgentSpec ToSpec() => new(
        Name ?? "", Description, Capabilities ?? [], MaxConcurrentTasks ?? 1,
        Metadata ?? new Dictionary<string, string>(), Kind ?? AgentKind.Hosted,
        Instructions, Model is null ? null : new AgentModel(Model.Provider ?? "", Model.Model, Model.Temperature, Model.MaxOutputTokens),
        Tools, MaxTurns, MaxToolCalls, DailyBudgetUsd, DailyBudgetTokens);
}

/// <summary>The model of a hosted agent: a provider of Skills:Llm:Providers (no endpoint or key here).</summary>
public sealed record AgentModelRequest(string? Provider, string? Model, double? Temperature, int? MaxOutputTokens);

/// <summary>Body of POST /api/agents/{id}/heartbeat; optional.</summary>
public sealed record HeartbeatRequest(int? ActiveTasks);

/// <summary>A page of agents; pass <c>nextCursor</c> back as <c>cursor</c> for the next one.</summary>
public sealed record AgentListResponse(IReadOnlyList<AgentView> Items, string? NextCursor);

/// <summary>The list cursor is the last id returned, base64url-encoded so clients treat it as opaque.</summary>
public static class AgentCursor
{
    public static string Encode(string lastId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(lastId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string cursor, out string lastId)
    {
        lastId = "";
        if (cursor.Length > 128)
        {
            return false;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return false;
        }

        try
        {
            lastId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        return AgentRules.IsValidId(lastId);
    }
}
