using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace OrleansAgents.Api.Endpoints;

/// <summary>
/// The <c>limit</c> and <c>cursor</c> query parameters of every list endpoint, bound with
/// <c>[AsParameters]</c>. Both stay strings so a malformed value gets this API's 400
/// (<c>request.invalid_limit</c>, or the list's own cursor check) rather than the framework's.
/// </summary>
public sealed class PageRequest
{
    [FromQuery(Name = "limit")]
    public string? Limit { get; init; }

    /// <summary>The <c>nextCursor</c> of the previous page; each list checks it in its own way.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>The page size: <paramref name="defaultSize"/> without <c>limit</c>, else 1 to <paramref name="max"/> or a 400.</summary>
    public bool TrySize(int defaultSize, int max, out int size, [NotNullWhen(false)] out ProblemHttpResult? problem) =>
        QueryParameters.TryPageSize(Limit, defaultSize, max, out size, out problem);
}
