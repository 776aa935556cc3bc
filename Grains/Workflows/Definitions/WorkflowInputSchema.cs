using System.Text.Json;
using OrleansAgents.Errors;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>
/// The JSON Schema subset a workflow's input schema may use: <c>type</c>, <c>properties</c>,
/// <c>required</c>, <c>additionalProperties</c> (true/false), <c>items</c>, <c>enum</c>,
/// <c>minLength</c>/<c>maxLength</c>, <c>minimum</c>/<c>maximum</c>, <c>minItems</c>/<c>maxItems</c>;
/// annotations are ignored and any other keyword is refused, so nothing is silently unchecked.
/// </summary>
public static partial class WorkflowInputSchema
{
    /// <summary>Deepest nesting of schemas inside schemas (and of input values checked against them).</summary>
    public const int MaxDepth = 32;

    /// <summary>Most issues reported for one input, so a huge bad input gives a bounded answer.</summary>
    public const int MaxIssues = 50;

    private const string Root = "inputSchema";
    private static readonly string[] Types = ["string", "number", "integer", "boolean", "object", "array", "null"];
    private static readonly string[] Annotations = ["title", "description", "default", "examples", "$schema", "$id"];
    private static readonly string[] Counts = ["minLength", "maxLength", "minItems", "maxItems"];

    public static IReadOnlyList<WorkflowValidationIssue> CheckSchema(string schemaJson)
    {
        using var schema = WorkflowPaths.TryParseJson(schemaJson, out var error);
        if (schema is null)
        {
            return [new(Root, ErrorCodes.WorkflowSchemaInvalid, $"{Root} is not valid JSON: {error}")];
        }

        var issues = new List<WorkflowValidationIssue>();
        CheckNode(schema.RootElement, Root, 0, issues);
        return issues;
    }

    private static void CheckNode(JsonElement schema, string path, int depth, List<WorkflowValidationIssue> issues)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            issues.Add(Invalid(path, $"{path} must be a schema object"));
            return;
        }

        if (depth >= MaxDepth)
        {
            issues.Add(Invalid(path, $"{path} nests schemas deeper than {MaxDepth} levels"));
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var at = WorkflowPaths.Member(path, keyword.Name);
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    CheckType(value, at, issues);
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        CheckNode(property.Value, WorkflowPaths.Member(at, property.Name), depth + 1, issues);
                    }

                    break;
                case "properties":
                    issues.Add(Invalid(at, $"{at} must be an object of schemas"));
                    break;
                case "required" when value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)
                    || value.EnumerateArray().Select(e => e.GetString()).Distinct(StringComparer.Ordinal).Count() != value.GetArrayLength():
                    issues.Add(Invalid(at, $"{at} must be an array of distinct property names"));
                    break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.Object:
                    issues.Add(new(at, ErrorCodes.WorkflowSchemaUnsupported, $"{at}: only true or false is supported"));
                    break;
                case "additionalProperties" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                    issues.Add(Invalid(at, $"{at} must be true or false"));
                    break;
                case "items" when value.ValueKind == JsonValueKind.Array:
                    issues.Add(new(at, ErrorCodes.WorkflowSchemaUnsupported, $"{at}: only one schema for every item is supported (not an array of schemas)"));
                    break;
                case "items":
                    CheckNode(value, at, depth + 1, issues);
                    break;
                case "enum" when value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0:
                    issues.Add(Invalid(at, $"{at} must be a non-empty array"));
                    break;
                case var count when Counts.Contains(count) && !(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0):
                    issues.Add(Invalid(at, $"{at} must be a non-negative integer"));
                    break;
                case "minimum" or "maximum" when value.ValueKind != JsonValueKind.Number:
                    issues.Add(Invalid(at, $"{at} must be a number"));
                    break;
                case var name when name is "required" or "additionalProperties" or "enum" or "minimum" or "maximum"
                    || Counts.Contains(name) || Annotations.Contains(name):
                    break;
                default:
                    issues.Add(new(at, ErrorCodes.WorkflowSchemaUnsupported,
                        $"{at}: keyword '{keyword.Name}' is not supported (supported: type, properties, required, additionalProperties, items, enum, minLength, maxLength, minimum, maximum, minItems, maxItems)"));
                    break;
            }
        }
    }

    private static void CheckType(JsonElement value, string at, List<WorkflowValidationIssue> issues)
    {
        var names = value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()],
            JsonValueKind.Array => value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList(),
            _ => [],
        };
        if (names.Count == 0 || names.Any(n => n is null || !Types.Contains(n)) || names.Distinct().Count() != names.Count)
        {
            issues.Add(Invalid(at, $"{at} must be one of {string.Join(", ", Types)}, or an array of distinct ones"));
        }
    }

    private static WorkflowValidationIssue Invalid(string path, string message) => new(path, ErrorCodes.WorkflowSchemaInvalid, message);
}
