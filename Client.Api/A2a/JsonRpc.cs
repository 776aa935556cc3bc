using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.A2a;

/// <summary>A JSON-RPC 2.0 error as A2A v1.0 defines it: a numeric code, a message and a google.rpc.ErrorInfo with our error code.</summary>
public sealed class A2aException(int code, string reason, string errorCode, string message) : Exception(message)
{
    // JSON-RPC's own codes, and A2A's (section 5.4 of the v1.0 specification).
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int TaskNotFound = -32001;
    public const int TaskNotCancelable = -32002;
    public const int PushNotificationNotSupported = -32003;
    public const int UnsupportedOperation = -32004;
    public const int ContentTypeNotSupported = -32005;
    public const int VersionNotSupported = -32009;

    /// <summary>Implementation-defined (JSON-RPC reserves -32000..-32099 for servers): the caller's roles lack the permission.</summary>
    public const int PermissionDenied = -32040;

    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public string ErrorCode { get; } = errorCode;

    public static A2aException Invalid(string message) => new(InvalidParams, "INVALID_PARAMS", ErrorCodes.A2aInvalidParams, message);

    public static A2aException Invalid(string errorCode, string message) => new(InvalidParams, "INVALID_PARAMS", errorCode, message);

    public static A2aException NoTask(string id) => new(TaskNotFound, "TASK_NOT_FOUND", ErrorCodes.A2aTaskNotFound, $"Task '{id}' does not exist.");

    public static A2aException Unsupported(string message) => new(UnsupportedOperation, "UNSUPPORTED_OPERATION", ErrorCodes.A2aUnsupported, message);

    public JsonObject ToJson() => new()
    {
        ["code"] = Code,
        ["message"] = Message,
        ["data"] = new JsonArray(new JsonObject
        {
            ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
            ["reason"] = Reason,
            ["domain"] = "a2a-protocol.org",
            ["metadata"] = new JsonObject { ["code"] = ErrorCode },
        }),
    };
}

/// <summary>One JSON-RPC request: its id (string, integer or null, echoed back), method and params object.</summary>
public sealed record JsonRpcRequest(JsonNode? Id, string Method, JsonObject Params)
{
    /// <summary>Reads a request body; an error carries the id when the body got far enough to have one.</summary>
    public static JsonRpcRequest Parse(ReadOnlySpan<byte> body, out JsonNode? id)
    {
        id = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            throw new A2aException(A2aException.ParseError, "INVALID_PARAMS", ErrorCodes.A2aParseError, "The body is not JSON.");
        }

        if (root is not JsonObject request)
        {
            throw InvalidRequest("A JSON-RPC request is a JSON object (batches are not part of A2A).");
        }

        if (request["id"] is { } rawId)
        {
            if (rawId.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number) ||
                (rawId.GetValueKind() == JsonValueKind.Number && !rawId.AsValue().TryGetValue<long>(out _)))
            {
                throw InvalidRequest("id must be a string, an integer or null.");
            }

            id = rawId.DeepClone();
        }

        if (request["jsonrpc"] is not JsonValue version || version.GetValueKind() != JsonValueKind.String || (string?)version != "2.0")
        {
            throw InvalidRequest("jsonrpc must be \"2.0\".");
        }

        if (request["method"] is not JsonValue method || method.GetValueKind() != JsonValueKind.String || string.IsNullOrEmpty((string?)method))
        {
            throw InvalidRequest("method must be a non-empty string.");
        }

        var parameters = request["params"] switch
        {
            null => new JsonObject(),
            JsonObject o => o,
            _ => throw A2aException.Invalid("params must be an object."),
        };
        return new JsonRpcRequest(id, (string)method!, parameters);
    }

    private static A2aException InvalidRequest(string message) => new(A2aException.InvalidRequest, "INVALID_PARAMS", ErrorCodes.A2aInvalidRequest, message);

    public static JsonObject Result(JsonNode? id, JsonNode result) => new() { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["result"] = result };

    public static JsonObject Error(JsonNode? id, A2aException error) => new() { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["error"] = error.ToJson() };
}

/// <summary>Typed reads of params fields: a wrong type is an invalid-params error, never an exception of the serializer.</summary>
public static class Params
{
    public static string? Text(JsonObject o, string name, int maxLength = 1024)
    {
        var node = o[name];
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            throw A2aException.Invalid($"{name} must be a string.");
        }

        var value = (string)node!;
        return value.Length > maxLength ? throw A2aException.Invalid($"{name} is longer than {maxLength} characters.") : value;
    }

    public static int? Number(JsonObject o, string name, int min, int max)
    {
        var node = o[name];
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var value) || value < min || value > max)
        {
            throw A2aException.Invalid($"{name} must be an integer from {min} to {max}.");
        }

        return value;
    }

    public static bool? Bool(JsonObject o, string name)
    {
        var node = o[name];
        return node switch
        {
            null => null,
            _ when node.GetValueKind() == JsonValueKind.True => true,
            _ when node.GetValueKind() == JsonValueKind.False => false,
            _ => throw A2aException.Invalid($"{name} must be true or false."),
        };
    }

    public static JsonObject? Nested(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonObject value => value,
        _ => throw A2aException.Invalid($"{name} must be an object."),
    };

    public static JsonArray? Array(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonArray value => value,
        _ => throw A2aException.Invalid($"{name} must be an array."),
    };
}
