using System.Text;
using System.Text.Json.Nodes;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.A2a;

public static partial class A2aApi
{
    /// <summary>The largest body read: a message is at most one conversation message plus its envelope.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private static async Task HandleAsync(A2aCaller caller, A2aOptions options, ILoggerFactory logs)
    {
        var http = caller.Http;
        var logger = logs.CreateLogger("OrleansAgents.Api.A2a");
        JsonNode? id = null;
        JsonRpcRequest request;
        try
        {
            CheckVersion(http);
            request = JsonRpcRequest.Parse(await ReadBodyAsync(http), out id);
        }
        catch (A2aException error)
        {
            await WriteJsonAsync(http, JsonRpcRequest.Error(id, error));
            return;
        }

        var streaming = request.Method is "SendStreamingMessage" or "SubscribeToTask";
        try
        {
            if (streaming)
            {
                var events = request.Method == "SendStreamingMessage"
                    ? A2aMethods.SendStreamingMessageAsync(caller, request.Params, http.RequestAborted)
                    : A2aMethods.SubscribeToTaskAsync(caller, request.Params, http.RequestAborted);
                await StreamAsync(http, request.Id, events, logger);
                return;
            }

            JsonNode result = request.Method switch
            {
                "SendMessage" => await A2aMethods.SendMessageAsync(caller, request.Params, options),
                "GetTask" => await A2aMethods.GetTaskAsync(caller, request.Params),
                "CancelTask" => await A2aMethods.CancelTaskAsync(caller, request.Params),
                "ListTasks" => await ListTasks.RunAsync(caller, request.Params),
                "CreateTaskPushNotificationConfig" or "GetTaskPushNotificationConfig" or "ListTaskPushNotificationConfigs" or "DeleteTaskPushNotificationConfig" =>
                    throw new A2aException(A2aException.PushNotificationNotSupported, "PUSH_NOTIFICATION_NOT_SUPPORTED", ErrorCodes.A2aPushNotSupported, "Push notifications are not supported."),
                _ => throw new A2aException(A2aException.MethodNotFound, "METHOD_NOT_FOUND", ErrorCodes.A2aMethodNotFound,
                    $"No method '{request.Method}'. A2A v1.0 methods here: SendMessage, SendStreamingMessage, GetTask, CancelTask, SubscribeToTask, ListTasks."),
            };
            await WriteJsonAsync(http, JsonRpcRequest.Result(request.Id, result));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            if (http.Response.HasStarted)
            {
                return;
            }

            await WriteJsonAsync(http, JsonRpcRequest.Error(request.Id, ToError(ex, logger)));
        }
    }

    /// <summary>Server-Sent Events, each one a JSON-RPC response with the request's id; an error after the start is the last event.</summary>
    private static async Task StreamAsync(HttpContext http, JsonNode? id, IAsyncEnumerable<JsonNode> events, ILogger logger)
    {
        await using var enumerator = events.GetAsyncEnumerator(http.RequestAborted);
        JsonNode? first;
        try
        {
            // The first item is computed before answering, so a refusal is a plain JSON-RPC error, not a stream.
            first = await enumerator.MoveNextAsync() ? enumerator.Current : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            await WriteJsonAsync(http, JsonRpcRequest.Error(id, ToError(ex, logger)));
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var next = first;
        while (next is not null)
        {
            await WriteEventAsync(http, JsonRpcRequest.Result(id, next));
            try
            {
                next = await enumerator.MoveNextAsync() ? enumerator.Current : null;
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                await WriteEventAsync(http, JsonRpcRequest.Error(id, ToError(ex, logger)));
                return;
            }
        }
    }

    private static async Task WriteEventAsync(HttpContext http, JsonObject response)
    {
        await http.Response.WriteAsync("data: " + response.ToJsonString(A2aTasks.Wire) + "\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpContext http, JsonObject response)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(response.ToJsonString(A2aTasks.Wire), http.RequestAborted);
    }

    /// <summary>A2A-Version: 1.0 (or absent, for curl and older clients that send only v1.0 shapes); another version is refused.</summary>
    private static void CheckVersion(HttpContext http)
    {
        var version = http.Request.Headers["A2A-Version"].ToString();
        if (version.Length > 0 && version is not ("1.0" or "1"))
        {
            throw new A2aException(A2aException.VersionNotSupported, "VERSION_NOT_SUPPORTED", ErrorCodes.A2aVersionNotSupported,
                $"A2A-Version '{version}' is not supported; this server speaks 1.0.");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw A2aException.Invalid(ErrorCodes.BodyTooLarge, $"The request is larger than {MaxBodyBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Domain errors keep their code; anything unexpected is an internal error with no detail beyond the trace id.</summary>
    private static A2aException ToError(Exception ex, ILogger logger)
    {
        switch (ex)
        {
            case A2aException error:
                return error;
            case DomainException domain:
                return domain.Kind switch
                {
                    DomainErrorKind.NotFound => new A2aException(A2aException.InvalidParams, "INVALID_PARAMS", domain.Code, domain.Message),
                    DomainErrorKind.Unavailable => new A2aException(A2aException.InternalError, "UNAVAILABLE", domain.Code, domain.Message),
                    _ => new A2aException(A2aException.InvalidParams, "INVALID_PARAMS", domain.Code, domain.Message),
                };
            default:
                LogFailed(logger, ex);
                return new A2aException(A2aException.InternalError, "INTERNAL_ERROR", ErrorCodes.Internal,
                    $"The request failed inside the cluster; retry shortly (trace id {System.Diagnostics.Activity.Current?.TraceId.ToString() ?? "none"}).");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A2A request failed")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
