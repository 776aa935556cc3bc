using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Workflows.Planner;

/// <summary>
/// A planner's draft: JSON in the shape of POST /api/workflows (without <c>id</c>) read into a
/// definition. What the API would refuse before validation (not JSON, a wrong type, an unknown
/// field) is a finding here too, so a draft that passes is one a client could post as it is.
/// </summary>
public static class WorkflowDraft
{
    private static readonly HashSet<string> TopFields = ["name", "goal", "inputSchema", "steps", "output"];

    private static readonly HashSet<string> StepFields =
        ["id", "capability", "agentId", "skill", "input", "dependsOn", "condition", "maxAttempts", "timeoutSeconds", "requiresApproval"];

    public static WorkflowDefinition? TryRead(string json, List<WorkflowValidationIssue> findings)
    {
        JsonObject root;
        try
        {
            if (JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false }) is not JsonObject parsed)
            {
                findings.Add(Finding("", "the draft must be a JSON object in the format of POST /api/workflows"));
                return null;
            }

            // Duplicate keys surface when the object is first read, not at parse.
            _ = parsed.Count;
            root = parsed;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            findings.Add(Finding("", "the draft is not JSON: " + ex.Message));
            return null;
        }

        Unknown(root, TopFields, "", findings);
        var steps = new List<WorkflowStep>();
        if (root["steps"] is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject step)
                {
                    steps.Add(ReadStep(step, $"steps[{i}]", findings));
                }
                else
                {
                    findings.Add(Finding($"steps[{i}]", "each step must be an object"));
                }
            }
        }
        else if (root["steps"] is not null)
        {
            findings.Add(Finding("steps", "steps must be an array"));
        }

        var definition = new WorkflowDefinition(
            Text(root, "name", "", findings) ?? "",
            Text(root, "goal", "", findings) ?? "",
            root["inputSchema"]?.ToJsonString() ?? "{}",
            steps,
            root["output"]?.ToJsonString());
        return findings.Count == 0 ? definition : null;
    }

    private static WorkflowStep ReadStep(JsonObject step, string path, List<WorkflowValidationIssue> findings)
    {
        Unknown(step, StepFields, path + ".", findings);
        var dependsOn = new List<string>();
        if (step["dependsOn"] is JsonArray deps)
        {
            dependsOn.AddRange(deps.Select(d => d is JsonValue v && v.TryGetValue<string>(out var s) ? s : ""));
        }
        else if (step["dependsOn"] is not null)
        {
            findings.Add(Finding(path + ".dependsOn", "dependsOn must be an array of step ids"));
        }

        return new WorkflowStep(
            Text(step, "id", path + ".", findings) ?? "",
            Text(step, "capability", path + ".", findings),
            Text(step, "agentId", path + ".", findings),
            Text(step, "skill", path + ".", findings) ?? "",
            step["input"]?.ToJsonString() ?? "{}",
            dependsOn,
            Text(step, "condition", path + ".", findings),
            Number(step, "maxAttempts", path + ".", findings),
            Number(step, "timeoutSeconds", path + ".", findings),
            step["requiresApproval"] is JsonValue b && b.TryGetValue<bool>(out var approval) && approval);
    }

    private static string? Text(JsonObject node, string field, string prefix, List<WorkflowValidationIssue> findings)
    {
        switch (node[field])
        {
            case null:
                return null;
            case JsonValue v when v.TryGetValue<string>(out var text):
                return text;
            default:
                findings.Add(Finding(prefix + field, $"{field} must be a string"));
                return null;
        }
    }

    private static int? Number(JsonObject node, string field, string prefix, List<WorkflowValidationIssue> findings)
    {
        switch (node[field])
        {
            case null:
                return null;
            case JsonValue v when v.TryGetValue<int>(out var n):
                return n;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue:
                return (int)d;
            default:
                findings.Add(Finding(prefix + field, $"{field} must be a whole number"));
                return null;
        }
    }

    private static void Unknown(JsonObject node, HashSet<string> known, string prefix, List<WorkflowValidationIssue> findings)
    {
        foreach (var (name, _) in node)
        {
            if (!known.Contains(name))
            {
                findings.Add(Finding(prefix + name, $"'{name}' is not a field of the definition format (known: {string.Join(", ", known)})"));
            }
        }
    }

    private static WorkflowValidationIssue Finding(string path, string message) => new(path, ErrorCodes.WorkflowGenerateBadDraft, message);
}
