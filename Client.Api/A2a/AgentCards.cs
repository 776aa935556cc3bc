using System.Text.Json.Nodes;
using OrleansAgents.Agents;

namespace OrleansAgents.Api.A2a;

/// <summary>
/// A2A v1.0 agent cards in the specification's JSON (proto field names): the cluster's, whose skills
/// are the hosted agents, and one per hosted agent. Both say: JSON-RPC, streaming, no push
/// notifications, a bearer token (the API's access tokens or API keys).
/// </summary>
public static class AgentCards
{
    public static JsonObject Cluster(string baseUrl, IEnumerable<AgentView> hostedAgents) =>
        Card(
            "Orleans Agents",
            "The hosted agents of an Orleans Agents cluster. Each skill is a hosted agent: pick it with metadata.agentId, "
            + "or talk to it on its own endpoint (/api/a2a/agents/{id}). A task is one turn of a conversation; contextId is the conversation.",
            baseUrl + "/api/a2a",
            baseUrl,
            [.. hostedAgents.Select(Skill)]);

    public static JsonObject Agent(string baseUrl, AgentView agent) =>
        Card(agent.Name, agent.Description ?? agent.Name, $"{baseUrl}/api/a2a/agents/{agent.Id}", baseUrl, [Skill(agent)]);

    public static bool IsHosted(AgentView agent) => agent is { Kind: AgentKind.Hosted, Model: not null, RetiredAt: null };

    private static JsonObject Skill(AgentView agent) => new()
    {
        ["id"] = agent.Id,
        ["name"] = agent.Name,
        ["description"] = agent.Description ?? agent.Name,
        ["tags"] = new JsonArray([.. agent.Capabilities.Select(c => (JsonNode)c)]),
        ["inputModes"] = new JsonArray("text/plain"),
        ["outputModes"] = new JsonArray("text/plain"),
    };

    private static JsonObject Card(string name, string description, string url, string baseUrl, JsonArray skills) => new()
    {
        ["name"] = name,
        ["description"] = description,
        ["supportedInterfaces"] = new JsonArray(new JsonObject
        {
            ["url"] = url,
            ["protocolBinding"] = "JSONRPC",
            ["protocolVersion"] = "1.0",
        }),
        ["provider"] = new JsonObject { ["organization"] = "Orleans Agents", ["url"] = baseUrl },
        ["version"] = typeof(AgentCards).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
        ["documentationUrl"] = baseUrl + "/docs",
        ["capabilities"] = new JsonObject { ["streaming"] = true, ["pushNotifications"] = false, ["extendedAgentCard"] = false },
        ["securitySchemes"] = new JsonObject
        {
            ["bearer"] = new JsonObject
            {
                ["httpAuthSecurityScheme"] = new JsonObject
                {
                    ["scheme"] = "Bearer",
                    ["bearerFormat"] = "JWT",
                    ["description"] = "An access token from POST /api/auth/login, or an API key.",
                },
            },
        },
        ["securityRequirements"] = new JsonArray(new JsonObject { ["schemes"] = new JsonObject { ["bearer"] = new JsonObject { ["list"] = new JsonArray() } } }),
        ["defaultInputModes"] = new JsonArray("text/plain"),
        ["defaultOutputModes"] = new JsonArray("text/plain"),
        ["skills"] = skills,
    };
}
