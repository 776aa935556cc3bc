using OrleansAgents.Errors;

namespace OrleansAgents.Api.Errors;

/// <summary>
/// A grain's <see cref="DomainException"/> is an expected answer (400/404/409), not a server
/// fault: turn it into a ProblemDetails here so it is not logged as an unhandled error.
/// </summary>
public sealed class DomainErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DomainException ex)
        {
            if (ex.RetryAfter is { } retryAfter)
            {
                context.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (ex.Kind == DomainErrorKind.Unavailable)
            {
                context.HttpContext.Response.Headers.RetryAfter = ErrorHandling.UnavailableRetryAfterSeconds; // every 503 says when to retry
            }

            return TypedResults.Problem(ProblemResults.ForDomain(ex));
        }
    }
}
