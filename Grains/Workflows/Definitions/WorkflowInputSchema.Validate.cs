using System.Text.Json;
using OrleansAgents.Errors;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

public static partial class WorkflowInputSchema
{
    /// <summary>
    /// Checks a run input against a schema (normally one <see cref="CheckSchema"/> accepted; unknown
    /// keywords are ignored here). Issues have paths like <c>input.q</c> and code <c>workflow.input_invalid</c>.
    /// </summary>
    public static IReadOnlyList<WorkflowValidationIssue> Validate(string schemaJson, string inputJson)
    {
        using var schema = WorkflowPaths.TryParseJson(schemaJson, out var error);
        if (schema is null)
        {
            return [new(Root, ErrorCodes.WorkflowSchemaInvalid, $"{Root} is not valid JSON: {error}")];
        }

        using var input = WorkflowPaths.TryParseJson(inputJson, out error);
        if (input is null)
        {
            return [Issue("input", $"input is not valid JSON: {error}")];
        }

        var issues = new List<WorkflowValidationIssue>();
        ValidateNode(schema.RootElement, input.RootElement, "input", 0, issues);
        return [.. issues.Take(MaxIssues)];
    }

    private static void ValidateNode(JsonElement schema, JsonElement value, string path, int depth, List<WorkflowValidationIssue> issues)
    {
        if (schema.ValueKind != JsonValueKind.Object || issues.Count > MaxIssues)
        {
            return;
        }

        if (depth >= MaxDepth)
        {
            issues.Add(Issue(path, $"{path} nests deeper than {MaxDepth} levels"));
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
        {
            var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.ToString()).ToList() : [type.ToString()];
            issues.Add(Issue(path, $"{path} must be {string.Join(" or ", names.Select(Article))}"));
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            issues.Add(Issue(path, $"{path} must be one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()))}"));
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var length = value.GetString()!.EnumerateRunes().Count();
                Bound(schema, "minLength", path, length, (p, n) => $"{p} must be at least {n} characters long", below: true, issues);
                Bound(schema, "maxLength", path, length, (p, n) => $"{p} must be at most {n} characters long", below: false, issues);
                break;
            case JsonValueKind.Number:
                Bound(schema, "minimum", path, WorkflowPaths.Number(value), (p, n) => $"{p} must be at least {n}", below: true, issues);
                Bound(schema, "maximum", path, WorkflowPaths.Number(value), (p, n) => $"{p} must be at most {n}", below: false, issues);
                break;
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                Bound(schema, "minItems", path, count, (p, n) => $"{p} must have at least {n} items", below: true, issues);
                Bound(schema, "maxItems", path, count, (p, n) => $"{p} must have at most {n} items", below: false, issues);
                if (schema.TryGetProperty("items", out var items))
                {
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        ValidateNode(items, item, $"{path}[{index++}]", depth + 1, issues);
                    }
                }

                break;
            case JsonValueKind.Object:
                ValidateObject(schema, value, path, depth, issues);
                break;
            default:
                break;
        }
    }

    private static void ValidateObject(JsonElement schema, JsonElement value, string path, int depth, List<WorkflowValidationIssue> issues)
    {
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    issues.Add(Issue(WorkflowPaths.Member(path, name), $"{WorkflowPaths.Member(path, name)} is required"));
                }
            }
        }

        var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        foreach (var property in value.EnumerateObject())
        {
            var at = WorkflowPaths.Member(path, property.Name);
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                ValidateNode(propertySchema, property.Value, at, depth + 1, issues);
            }
            else if (closed)
            {
                issues.Add(Issue(at, $"{at} is not allowed (not in the schema's properties)"));
            }
        }
    }

    private static void Bound(JsonElement schema, string keyword, string path, double actual, Func<string, string, string> message, bool below,
        List<WorkflowValidationIssue> issues)
    {
        if (schema.TryGetProperty(keyword, out var limit) && limit.ValueKind == JsonValueKind.Number
            && (below ? actual < WorkflowPaths.Number(limit) : actual > WorkflowPaths.Number(limit)))
        {
            issues.Add(Issue(path, message(path, limit.GetRawText())));
        }
    }

    private static bool MatchesType(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => Matches(type.GetString(), value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && Matches(t.GetString(), value)),
        _ => true,
    };

    private static bool Matches(string? type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && double.IsInteger(WorkflowPaths.Number(value)),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Article(string type) => type switch
    {
        "integer" or "object" or "array" => "an " + type,
        "null" => "null",
        _ => "a " + type,
    };

    private static WorkflowValidationIssue Issue(string path, string message) =>
        new(path, ErrorCodes.WorkflowInputInvalid, message);
}
