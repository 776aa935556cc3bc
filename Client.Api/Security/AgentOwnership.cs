using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

/// <summary>
/// An agent's owner is the <c>owner</c> metadata entry, which gives rating rights (trust) and
/// memory writes. It is set from the caller at registration, never taken from the body of someone
/// without trust:admin, and only trust:admin changes it afterwards.
/// </summary>
public static class AgentOwnership
{
    public const string MetadataKey = "owner";

    public static string? OwnerOf(AgentView agent) => agent.Metadata.TryGetValue(MetadataKey, out var owner) ? owner : null;

    /// <summary>The metadata to register with: the caller as owner, unless a trust:admin holder names another.</summary>
    public static Dictionary<string, string> ForRegistration(HttpContext http, Dictionary<string, string>? metadata, out Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? problem)
    {
        problem = null;
        var result = new Dictionary<string, string>(metadata ?? [], StringComparer.Ordinal);
        if (result.TryGetValue(MetadataKey, out var asked) && asked != Ownership.Caller(http) && !Ownership.Holds(http, Permissions.TrustAdmin))
        {
            problem = Forbidden();
            return result;
        }

        result.TryAdd(MetadataKey, Ownership.Caller(http));
        return result;
    }

    /// <summary>The metadata to replace with: the current owner is kept when the body leaves it out; changing it needs trust:admin.</summary>
    public static Dictionary<string, string> ForUpdate(HttpContext http, Dictionary<string, string>? metadata, AgentView? current, out Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? problem)
    {
        problem = null;
        var result = new Dictionary<string, string>(metadata ?? [], StringComparer.Ordinal);
        var owner = current is null ? null : OwnerOf(current);
        if (result.TryGetValue(MetadataKey, out var asked))
        {
            if (asked != owner && !Ownership.Holds(http, Permissions.TrustAdmin))
            {
                problem = Forbidden();
            }
        }
        else if (owner is not null)
        {
            result[MetadataKey] = owner;
        }

        return result;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden() => ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
        $"An agent's '{MetadataKey}' is who registered it; naming or changing it needs the permission '{Permissions.TrustAdmin}'.");
}
