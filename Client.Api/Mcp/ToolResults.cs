using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;
using OrleansAgents.Hosting;

namespace OrleansAgents.Api.Mcp;

/// <summary>An endpoint's response as an MCP tool result: its JSON body, or its ProblemDetails as a tool error.</summary>
public static class ToolResults
{
    /// <summary>Tool results larger than this are refused rather than flooding a model's context.</summary>
    public const int MaxResultBytes = 1024 * 1024;

    public static CallToolResult FromResponse(HttpContext context, out bool notJson)
    {
        notJson = false;
        var status = context.Response.StatusCode;
        var body = (MemoryStream)context.Response.Body;
        if (body.Length > MaxResultBytes)
        {
            return ToolError(ProblemResults.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.BodyTooLarge,
                $"The result is larger than {MaxResultBytes} bytes; ask for a smaller page (limit)."));
        }

        var text = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
        JsonElement? json = null;
        if (text.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                json = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                notJson = true;
            }
        }

        if (status >= 400)
        {
            // Every problem of the API carries code and detail; keep the whole document for the model.
            return new CallToolResult
            {
                IsError = true,
                Content = [new TextContentBlock { Text = text.Length > 0 ? text : $"{{\"status\":{status}}}" }],
                StructuredContent = json is { ValueKind: JsonValueKind.Object } ? json : null,
            };
        }

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text.Length > 0 ? text : "{}" }],
            StructuredContent = json is { ValueKind: JsonValueKind.Object } ? json : null,
        };
    }

    /// <summary>A problem as a tool error: the ProblemDetails JSON (code, detail, status) as text and structured content.</summary>
    public static CallToolResult ToolError(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var node = new JsonObject
        {
            ["type"] = problem.Type,
            ["title"] = problem.Title,
            ["status"] = problem.Status,
            ["detail"] = problem.Detail,
        };
        foreach (var (name, value) in problem.Extensions)
        {
            node[name] = JsonSerializer.SerializeToNode(value);
        }

        node["traceId"] ??= TelemetryExtensions.CurrentTraceId();
        var text = node.ToJsonString();
        using var document = JsonDocument.Parse(text);
        return new CallToolResult
        {
            IsError = true,
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = document.RootElement.Clone(),
        };
    }

    public static void ResetResponse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Clear();
        var body = (MemoryStream)context.Response.Body;
        body.SetLength(0);
    }
}
