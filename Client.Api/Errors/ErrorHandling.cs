using Microsoft.AspNetCore.Diagnostics;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Errors;

/// <summary>
/// Turns every failure into a ProblemDetails: domain errors keep their code, malformed
/// requests become 400s, a cluster that cannot be reached becomes 503, and anything else a
/// logged 500 that reveals nothing internal.
/// </summary>
public sealed partial class ErrorHandling(ILogger<ErrorHandling> logger) : IExceptionHandler
{
    /// <summary>Retry-After of a 503 <c>server.unavailable</c>, in seconds.</summary>
    public const string UnavailableRetryAfterSeconds = "2";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        var problem = exception switch
        {
            DomainException domain => ProblemResults.ForDomain(domain),
            BadHttpRequestException bad => await FromBadRequestAsync(context, bad),
            Orleans.Runtime.OrleansException or TimeoutException or OperationCanceledException when !context.RequestAborted.IsCancellationRequested
                => ProblemResults.Create(503, ErrorCodes.Unavailable, "The cluster did not answer in time; retry shortly.", recoverable: true),
            // A grain's write failed because PostgreSQL is down or restarting (chaos suite): the
            // request may be resent with the same Idempotency-Key, so it is a 503, not a 500.
            System.Data.Common.DbException => ProblemResults.Create(503, ErrorCodes.Unavailable, "Storage is unavailable; retry shortly.", recoverable: true),
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(exception, context.Request.Method, context.Request.Path);
            problem = ProblemResults.Create(500, ErrorCodes.Internal, "An unexpected error occurred; it has been logged.", recoverable: true);
        }

        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable && !context.Response.Headers.ContainsKey("Retry-After"))
        {
            // A silo that died is declared dead and its work moved within seconds: tell clients when to come back.
            context.Response.Headers.RetryAfter = UnavailableRetryAfterSeconds;
        }

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
        return true;
    }

    private static async Task<Microsoft.AspNetCore.Mvc.ProblemDetails> FromBadRequestAsync(HttpContext context, BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ProblemResults.Create(413, ErrorCodes.BodyTooLarge, "The request body is larger than the limit of this endpoint.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ProblemResults.Create(415, ErrorCodes.UnsupportedMediaType, "Send the body as application/json.");
        }

        return await context.RequestServices.GetRequiredService<JsonBodyErrors>().ForBadBodyAsync(context, bad);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string method, string path);
}
