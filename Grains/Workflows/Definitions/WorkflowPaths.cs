using System.Diagnostics.CodeAnalysis;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills.Json;

namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>
/// The paths of templates and conditions: <c>input…</c> or <c>steps.&lt;id&gt;.output…</c> /
/// <c>steps.&lt;id&gt;.status</c>, evaluated as a <see cref="JsonPath"/> over one document
/// <c>{ "input": …, "steps": { id: { "status": …, "output": … } } }</c>.
/// </summary>
internal static class WorkflowPaths
{
    internal static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>Parses a template, schema or input (duplicate keys refused); null with the parser's message when it is not JSON.</summary>
    public static JsonDocument? TryParseJson(string? json, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(json ?? "", StrictJson);
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Parses a reference; on failure <paramref name="code"/> is template_invalid (syntax) or unknown_reference (root).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out JsonPath? path, out string? stepId,
        [NotNullWhen(false)] out string? code, [NotNullWhen(false)] out string? error)
    {
        stepId = null;
        code = null;
        if (!JsonPath.TryParseRelative(text, out path, out var syntax))
        {
            (code, error) = (ErrorCodes.WorkflowTemplateInvalid, $"invalid path '{text}': {syntax}");
            return false;
        }

        switch (path.LeadingNames)
        {
            case ["input", ..]:
                error = null;
                return true;
            case ["steps", var id, "output" or "status", ..]:
                stepId = id;
                error = null;
                return true;
            case ["steps", var id]:
                error = $"'{text}' must continue with steps.{id}.output or steps.{id}.status";
                break;
            case ["steps", ..]:
                error = $"'{text}' must name a step: steps.<id>.output or steps.<id>.status";
                break;
            default:
                error = $"'{text}' must start with input or steps.<id>";
                break;
        }

        path = null;
        code = ErrorCodes.WorkflowUnknownReference;
        return false;
    }

    /// <summary>The document paths are evaluated over, holding the input and the referenced steps that have data.</summary>
    /// <remarks>Each piece is checked to be one JSON value, so a crafted input cannot add fake steps to the document.</remarks>
    public static JsonDocument BuildRoot(string inputJson, IReadOnlyDictionary<string, StepData> steps, IEnumerable<string> referenced)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("input");
                writer.WriteRawValue(string.IsNullOrWhiteSpace(inputJson) ? "null" : inputJson);
                writer.WriteStartObject("steps");
                foreach (var id in referenced)
                {
                    if (steps.TryGetValue(id, out var step))
                    {
                        writer.WriteStartObject(id);
                        writer.WriteString("status", step.Status);
                        if (step.OutputJson is not null)
                        {
                            writer.WritePropertyName("output");
                            writer.WriteRawValue(step.OutputJson);
                        }

                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            return JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new WorkflowTemplateException(ErrorCodes.WorkflowTemplateFailed, "The run input or a step output is not valid JSON.");
        }
    }

    /// <summary>A JSON number as a double; beyond double's range it is ±infinity (instead of the reader's FormatException).</summary>
    public static double Number(JsonElement number) =>
        number.TryGetDouble(out var value) ? value : number.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;

    /// <inheritdoc cref="Number(JsonElement)"/>
    public static double Number(JsonNode number) =>
        number is JsonValue v && v.TryGetValue<double>(out var value) ? value
            : number.ToJsonString().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary><c>parent.name</c>, or <c>parent['name']</c> when the name is not a plain identifier.</summary>
    public static string Member(string parent, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? $"{parent}.{name}"
            : $"{parent}['{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";
}
