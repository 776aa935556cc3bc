using Orleans.Runtime;

namespace OrleansAgents.Api.Errors;

/// <summary>
/// While a silo dies, grain calls fail for a few seconds (its gateway connection drops, messages to
/// it are rejected, calls to its grains time out) until the cluster notices. For calls that are
/// safe to repeat the API retries them itself, within a small budget, so the client sees a slower
/// answer instead of a 503. Safe: reads (GET/HEAD) and the submissions whose id derives from the
/// Idempotency-Key (a repeat lands on the same task or run, which repairs a half-done first try).
/// Anything else goes straight to <see cref="ErrorHandling"/>'s 503 with Retry-After.
/// A repeatable call still waiting <see cref="GatewayLossSignal.Grace"/> after a gateway connection
/// dropped is given up and sent again (it may have gone out through the dead gateway, where it would
/// wait Orleans' 30 s response timeout); the first call's late answer is ignored.
/// </summary>
public sealed partial class TransientClusterRetry(ILogger<TransientClusterRetry> logger, GatewayLossSignal gatewayLoss) : IEndpointFilter
{
    /// <summary>Pauses before each retry: about 2 s in all, a little more than a silo's gateway takes to drop out.</summary>
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(1200)];

    /// <summary>Endpoint names whose POST is idempotent under an Idempotency-Key.</summary>
    private static readonly HashSet<string> KeyedSubmissions = new(StringComparer.Ordinal)
    {
        "SubmitTask", "SubmitAgentTask", "StartWorkflowRun", "StartConsensus", "StartOptimization",
        "SendMessage", // a conversation message: a resend under its key answers the first turn
    };

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
                return await CallAsync(context, next, http.RequestAborted);
            }
            catch (Exception ex) when (attempt < Pauses.Length && IsTransient(ex) && !http.RequestAborted.IsCancellationRequested)
            {
                LogRetry(attempt + 1);

                await Task.Delay(Pauses[attempt], http.RequestAborted);
            }
        }
    }

    /// <summary>
    /// One call, raced against a gateway loss: if a gateway drops while the call runs and the call has
    /// not answered <see cref="GatewayLossSignal.Grace"/> later, it fails as <see cref="GatewayLostException"/>.
    /// </summary>
    private async ValueTask<object?> CallAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, CancellationToken aborted)
    {
        var loss = gatewayLoss.NextLoss;
        var call = next(context).AsTask();
        if (await Task.WhenAny(call, loss).WaitAsync(aborted) == loss
            && await Task.WhenAny(call, Task.Delay(gatewayLoss.Grace, aborted)) != call)
        {
            // The abandoned call may still answer or fail later; nobody waits for it.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new GatewayLostException();
        }

        return await call;
    }

    /// <summary>Failures that say the cluster was briefly unreachable, not that the request was wrong.</summary>
    public static bool IsTransient(Exception ex) => ex is GatewayLostException or SiloUnavailableException or OrleansMessageRejectionException
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

/// <summary>A repeatable grain call given up because a gateway connection dropped while it ran.</summary>
public sealed class GatewayLostException() : TimeoutException("A cluster gateway connection dropped while the call was in flight.");
