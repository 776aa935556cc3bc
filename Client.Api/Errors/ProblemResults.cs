using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Errors;

/// <summary>RFC 9457 problem responses, always with a stable <c>code</c> and a <c>recoverable</c> flag.</summary>
public static class ProblemResults
{
    public static ProblemHttpResult Problem(int status, string code, string detail, bool recoverable = false) =>
        TypedResults.Problem(Create(status, code, detail, recoverable));

    public static ProblemDetails Create(int status, string code, string detail, bool recoverable = false)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = Titles.GetValueOrDefault(status, "Error"),
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        problem.Extensions["code"] = code;
        problem.Extensions["recoverable"] = recoverable;
        return problem;
    }

    public static ProblemDetails ForDomain(DomainException ex)
    {
        var problem = ForKind(ex);
        if (ex.Errors is { Count: > 0 } errors)
        {
            problem.Extensions["errors"] = errors.Select(e => new { path = e.Path, code = e.Code, message = e.Message }).ToArray();
        }

        return problem;
    }

    private static ProblemDetails ForKind(DomainException ex) => ex.Kind switch
    {
        DomainErrorKind.NotFound => Create(StatusCodes.Status404NotFound, ex.Code, ex.Message),
        DomainErrorKind.Conflict => Create(StatusCodes.Status409Conflict, ex.Code, ex.Message),
        DomainErrorKind.Unavailable => Create(StatusCodes.Status503ServiceUnavailable, ex.Code, ex.Message, recoverable: true),
        DomainErrorKind.TooLarge => Create(StatusCodes.Status413PayloadTooLarge, ex.Code, ex.Message),
        DomainErrorKind.TooManyRequests => Create(StatusCodes.Status429TooManyRequests, ex.Code, ex.Message, recoverable: true),
        _ => Create(StatusCodes.Status400BadRequest, ex.Code, ex.Message),
    };

    public static ProblemHttpResult Invalid(string code, string detail) => Problem(StatusCodes.Status400BadRequest, code, detail);

    private static readonly Dictionary<int, string> Titles = new()
    {
        [400] = "Bad Request",
        [401] = "Unauthorized",
        [403] = "Forbidden",
        [404] = "Not Found",
        [405] = "Method Not Allowed",
        [409] = "Conflict",
        [413] = "Payload Too Large",
        [415] = "Unsupported Media Type",
        [422] = "Unprocessable Content",
        [429] = "Too Many Requests",
        [500] = "Internal Server Error",
        [503] = "Service Unavailable",
    };
}
