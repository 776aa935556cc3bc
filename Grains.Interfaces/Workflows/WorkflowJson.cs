using System.Text.Json.Nodes;

namespace OrleansAgents.Workflows;

/// <summary>
/// A definition in the API's JSON shape (templates and the schema as JSON values, not strings):
/// what clients send and read back, and what the read model stores as JSONB.
/// </summary>
public static class WorkflowJson
{
    public static JsonObject ToNode(WorkflowDefinition definition)
    {
        var node = new JsonObject
        {
            ["name"] = definition.Name,
            ["goal"] = definition.Goal,
            ["inputSchema"] = JsonNode.Parse(definition.InputSchemaJson),
            ["steps"] = new JsonArray([.. definition.Steps.Select(ToNode)]),
        };
        if (definition.OutputTemplateJson is { } output)
        {
            node["output"] = JsonNode.Parse(output);
        }

        return node;
    }

    public static JsonObject ToNode(WorkflowStep step)
    {
        var node = new JsonObject { ["id"] = step.Id };
        if (step.Capability is { } capability)
        {
            node["capability"] = capability;
        }

        if (step.AgentId is { } agentId)
        {
            node["agentId"] = agentId;
        }

        node["skill"] = step.Skill;
        node["input"] = JsonNode.Parse(step.InputTemplateJson);
        node["dependsOn"] = new JsonArray([.. step.DependsOn.Select(d => (JsonNode?)JsonValue.Create(d))]);
        if (step.Condition is { } condition)
        {
            node["condition"] = condition;
        }

        if (step.MaxAttempts is { } attempts)
        {
            node["maxAttempts"] = attempts;
        }

        if (step.TimeoutSeconds is { } timeout)
        {
            node["timeoutSeconds"] = timeout;
        }

        node["requiresApproval"] = step.RequiresApproval;
        return node;
    }

    public static string Serialize(WorkflowDefinition definition) => ToNode(definition).ToJsonString();
}
