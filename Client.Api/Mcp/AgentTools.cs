using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OrleansAgents.Api.Mcp;

/// <summary>Agents, tasks and trust as MCP tools; each one is the /api endpoint named in its call.</summary>
[McpServerToolType]
public static class AgentTools
{
    [McpServerTool(Name = "list_agents", Title = "List agents", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List registered agents (id, name, capabilities, status, load), optionally filtered by capability and status, one page at a time. "
        + "Pass nextCursor from a result as cursor to get the next page. Needs agent:read. Same as GET /api/agents.")]
    public static Task<CallToolResult> ListAgentsAsync(
        ApiEndpointInvoker api,
        [Description("Only agents offering this capability, e.g. \"search\".")] string? capability = null,
        [Description("Only agents in this status: idle, busy, unhealthy or retired.")] string? status = null,
        [Description("Page size, 1 to 200 (default 50).")] int? limit = null,
        [Description("nextCursor of the previous page; leave out for the first page.")] string? cursor = null,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("ListAgents", Query: new Dictionary<string, string?>
        {
            ["capability"] = capability,
            ["status"] = status,
            ["limit"] = Number(limit),
            ["cursor"] = cursor,
        }), cancellationToken);

    [McpServerTool(Name = "get_agent", Title = "Get an agent", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Get one agent's registration, status, heartbeat and task statistics. Needs agent:read. Same as GET /api/agents/{id}.")]
    public static Task<CallToolResult> GetAgentAsync(
        ApiEndpointInvoker api,
        [Description("The agent's id, e.g. \"researcher-1\".")] string agentId,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("GetAgent", Route: new Dictionary<string, string?> { ["id"] = agentId }), cancellationToken);

    [McpServerTool(Name = "submit_task", Title = "Submit a task", Destructive = false, OpenWorld = false)]
    [Description("Queue a task that runs a skill on one agent (agentId) or on the best available agent with a capability (capability); give exactly one of them. "
        + "Returns at once with the task (id, state \"queued\"): poll get_task with the id until the state is succeeded, failed, cancelled or dead-lettered. "
        + "With an idempotencyKey, a retry of the same submission returns the first task instead of queueing another. Needs agent:execute. Same as POST /api/tasks.")]
    public static Task<CallToolResult> SubmitTaskAsync(
        ApiEndpointInvoker api,
        [Description("The skill to run, e.g. \"echo\", \"llm.chat\", \"http.request\", \"json.transform\".")] string skill,
        [Description("The skill's input: any JSON value the skill accepts.")] JsonElement input,
        [Description("Run on this agent (leave out when giving capability).")] string? agentId = null,
        [Description("Run on the best available agent with this capability (leave out when giving agentId).")] string? capability = null,
        [Description("Queue priority: high, default or low.")] string? priority = null,
        [Description("Soft timeout in seconds (the skill is asked to stop).")] double? timeoutSeconds = null,
        [Description("Attempts before the task is dead-lettered.")] int? maxAttempts = null,
        [Description("A key of your choosing (1-200 printable ASCII) that makes resending this submission safe.")] string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["skill"] = skill,
            ["input"] = JsonNode.Parse(input.GetRawText()),
        };
        Put(body, "agentId", agentId);
        Put(body, "capability", capability);
        Put(body, "priority", priority);
        Put(body, "timeoutSeconds", timeoutSeconds);
        Put(body, "maxAttempts", maxAttempts);
        return api.InvokeAsync(new ApiCall("SubmitTask", Body: body,
            Headers: new Dictionary<string, string?> { ["Idempotency-Key"] = idempotencyKey }), cancellationToken);
    }

    [McpServerTool(Name = "get_task", Title = "Get a task", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Get a task: state (queued, running, succeeded, failed, cancelled, dead-lettered), attempts, result and error. Needs agent:read. Same as GET /api/tasks/{id}.")]
    public static Task<CallToolResult> GetTaskAsync(
        ApiEndpointInvoker api,
        [Description("The task id returned by submit_task, e.g. \"t_...\".")] string taskId,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("GetTask", Route: new Dictionary<string, string?> { ["id"] = taskId }), cancellationToken);

    [McpServerTool(Name = "list_trust_rankings", Title = "Trust rankings", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Agents ranked by global (EigenTrust) trust, highest first, with the version and time of the computation. "
        + "Pass nextCursor as cursor for the next page. Needs trust:read. Same as GET /api/trust.")]
    public static Task<CallToolResult> ListTrustRankingsAsync(
        ApiEndpointInvoker api,
        [Description("Page size, 1 to 200.")] int? limit = null,
        [Description("nextCursor of the previous page; leave out for the first page.")] string? cursor = null,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("ListTrust", Query: new Dictionary<string, string?> { ["limit"] = Number(limit), ["cursor"] = cursor }), cancellationToken);

    [McpServerTool(Name = "get_agent_trust", Title = "An agent's trust", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("One agent's global trust and rank. Needs trust:read. Same as GET /api/agents/{id}/trust.")]
    public static Task<CallToolResult> GetAgentTrustAsync(
        ApiEndpointInvoker api,
        [Description("The agent's id.")] string agentId,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("GetAgentTrust", Route: new Dictionary<string, string?> { ["id"] = agentId }), cancellationToken);

    internal static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    internal static void Put<T>(JsonObject body, string name, T? value)
    {
        if (value is not null)
        {
            body[name] = JsonValue.Create(value);
        }
    }
}
