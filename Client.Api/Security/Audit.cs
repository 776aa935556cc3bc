using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

/// <summary>
/// Records an operator action in the audit log. Auditing must never break the action it
/// records: a failure to write is logged as a warning and the request goes on.
/// </summary>
/// <remarks>
/// <c>detail</c> is kept forever and cannot be edited: never put secrets (passwords, tokens,
/// API keys, Authorization headers) in it.
/// </remarks>
public static partial class Audit
{
    // An audit write that has not answered by then is given up on rather than holding the response.
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    public static async Task RecordAsync(IGrainFactory grains, HttpContext context, string action, string? target, string outcome, string? detail = null, string? actor = null)
    {
        try
        {
            // actor: who acted when the request itself does not say (a login names its user in the body).
            var entry = new AuditEntry(0, default, actor ?? ActorOf(context), action, target, outcome, SourceOf(context), detail);
            // Not tied to RequestAborted: the action happened even if the caller has hung up.
            await grains.GetGrain<IAuditLogGrain>(0).AppendAsync(entry).WaitAsync(WriteTimeout);
        }
        catch (Exception ex)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Audit).FullName!);
            LogWriteFailed(logger, ex, action, target);
        }
    }

    /// <summary>
    /// Runs an operator action and records it: succeeded, or failed with the domain error's code
    /// (the error still reaches the caller). Other failures leave the outcome unknown and are not recorded.
    /// </summary>
    public static async Task<T> AuditedAsync<T>(this IGrainFactory grains, HttpContext context, string action, string? target, string? detail, Func<Task<T>> operation)
    {
        T result;
        try
        {
            result = await operation();
        }
        catch (DomainException ex)
        {
            await RecordAsync(grains, context, action, target, AuditOutcomes.Failed, detail is null ? $"error: {ex.Code}" : $"{detail}; error: {ex.Code}");
            throw;
        }

        await RecordAsync(grains, context, action, target, AuditOutcomes.Succeeded, detail);
        return result;
    }

    /// <summary>The signed-in user once authentication exists; until then whom the request is charged to.</summary>
    public static string ActorOf(HttpContext context)
    {
        if (context.User.Identity?.Name is { Length: > 0 } name)
        {
            return name;
        }

        var partitioner = context.RequestServices.GetService<IRateLimitPartitioner>();
        return partitioner?.GetPartitionKey(context, out _) ?? ClientPartitioner.Anonymous;
    }

    public static string? SourceOf(HttpContext context) => context.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the audit entry {Action} on {Target}; the action itself went ahead")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string action, string? target);
}
