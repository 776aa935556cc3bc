using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Endpoints;

/// <summary>Checks every list endpoint shares, with the same problem for the same mistake.</summary>
public static class QueryParameters
{
    /// <summary>
    /// The page size from <c>limit</c>: <paramref name="defaultSize"/> when absent; otherwise a whole
    /// number from 1 to <paramref name="max"/>, else a 400 <c>request.invalid_limit</c> in <paramref name="problem"/>.
    /// </summary>
    public static bool TryPageSize(string? limit, int defaultSize, int max, out int pageSize, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        problem = null;
        pageSize = defaultSize;
        if (limit is null ||
            (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) && pageSize >= 1 && pageSize <= max))
        {
            return true;
        }

        problem = ProblemResults.Invalid(ErrorCodes.InvalidLimit, $"limit must be a whole number from 1 to {max}.");
        return false;
    }

    /// <summary>The 400 for a malformed agent id that arrives outside the route (bodies, queries).</summary>
    public static ProblemHttpResult InvalidAgentId() => RouteId.Agent.Invalid();
}
