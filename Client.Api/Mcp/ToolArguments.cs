using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's input schema before the SDK binds them:
/// a missing, unknown or mistyped argument is a client mistake, answered like the HTTP API
/// answers a bad body (a tool error with <c>request.invalid</c>, <c>request.unknown_field</c> or
/// <c>request.wrong_type</c>), instead of the SDK's generic error and an error-level log.
/// </summary>
public static class ToolArguments
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            var tool = context.MatchedPrimitive as McpServerTool;
            if (tool is null && context.Params?.Name is { } name)
            {
                context.Server.ServerOptions.ToolCollection?.TryGetPrimitive(name, out tool);
            }

            if (tool is not null && Check(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } problem)
            {
                return problem;
            }

            return await next(context, cancellationToken);
        };

    public static CallToolResult? Check(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>())
            {
                if (!arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
                {
                    return Error(ErrorCodes.ValidationFailed, $"The argument '{name}' is required.");
                }
            }
        }

        foreach (var (name, value) in arguments)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var property))
            {
                return Error(ErrorCodes.UnknownField, $"This tool has no argument '{name}'.");
            }

            if (property.TryGetProperty("type", out var type) && !Allows(type, value))
            {
                return Error(ErrorCodes.WrongType, $"The argument '{name}' must be of type {type.GetRawText()}.");
            }
        }

        return null;
    }

    private static bool Allows(JsonElement type, JsonElement value)
    {
        var kinds = type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).ToList()
            : [type.GetString()];
        return kinds.Any(kind => kind switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            // Every integer argument binds to an int.
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => true,
        });
    }

    private static CallToolResult Error(string code, string detail) =>
        ToolResults.ToolError(ProblemResults.Create(StatusCodes.Status400BadRequest, code, detail));
}
