using Orleans.Runtime;

namespace OrleansAgents.Api.Errors;

/// <summary>
/// While a silo dies, grain calls fail for a few seconds (its gateway connection drops, messages to
/// it are rejected, calls to its grains time out) until the cluster notices. For calls that are
/// safe to repeat the API retries them itself, within a small budget, so the client sees a slower
/// answer instead of a 503. Safe: reads (GET/HEAD) and the submissions whose id derives from the
/// Idempotency-Key (a repeat lands on the same task or run, which repairs a half-done first try).
/// Anything else goes straight to <see cref="ErrorHandling"/>'s 503 with Retry-After.
/// </summary>
public sealed partial class TransientClusterRetry(ILogger<TransientClusterRetry> logger) : IEndpointFilter
{
    /// <summary>Pauses before each retry: about 2 s in all, a little more than a silo's gateway takes to drop out.</summary>
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(1200)];

    /// <summary>Endpoint names whose POST is idempotent under an Idempotency-Key.</summary>
    private static readonly HashSet<string> KeyedSubmissions = new(StringComparer.Ordinal) { "SubmitTask", "SubmitAgentTask", "StartWorkflowRun" };

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!IsRepeatable(http))
        {
            return await next(context);
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (attempt < Pauses.Length && IsTransient(ex) && !http.RequestAborted.IsCancellationRequested)
            {
                LogRetry(attempt + 1);

                await Task.Delay(Pauses[attempt], http.RequestAborted);
            }
        }
    }

    /// <summary>Failures that say the cluster was briefly unreachable, not that the request was wrong.</summary>
    public static bool IsTransient(Exception ex) => ex is SiloUnavailableException or OrleansMessageRejectionException
        or TimeoutException or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException
        || (ex is OrleansException && ex.InnerException is { } inner && IsTransient(inner));

    private static bool IsRepeatable(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return !http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
        }

        return HttpMethods.IsPost(http.Request.Method)
            && http.Request.Headers.ContainsKey(Endpoints.IdempotencyKey.Header)
            && http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is { } name
            && KeyedSubmissions.Contains(name);
    }

    // One short line per retry, no stack trace: a silo kill should read as a few lines. The request's
    // method and path are in the ASP.NET Core logging scope; a final failure is logged by ErrorHandling.
    [LoggerMessage(Level = LogLevel.Information, Message = "A grain call failed transiently (the cluster is losing a silo); retry {Attempt}")]
    private partial void LogRetry(int attempt);
}
