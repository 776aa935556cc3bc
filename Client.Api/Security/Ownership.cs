using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

/// <summary>
/// Object-level authorization: tasks, runs, optimisations and consensus rounds belong to the
/// subject that submitted them. Another caller needs the matching "any" permission; without it the
/// object answers as if it did not exist (404), so ids cannot be probed, and lists hold only the
/// caller's own objects.
/// </summary>
public static class Ownership
{
    /// <summary>The subject objects are recorded under: the user name, or <c>apikey-{id}</c>.</summary>
    public static string Caller(HttpContext http) => http.User.Identity?.Name ?? "";

    public static bool Holds(HttpContext http, string permission) =>
        Roles.PermissionsOf(http.User.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(permission);

    public static bool Owns(HttpContext http, string? owner) =>
        !string.IsNullOrEmpty(owner) && string.Equals(owner, Caller(http), StringComparison.Ordinal);

    /// <summary>The caller owns the object, or holds <paramref name="anyPermission"/>.</summary>
    public static bool May(HttpContext http, string? owner, string anyPermission) =>
        Owns(http, owner) || Holds(http, anyPermission);

    /// <summary>
    /// For an action on an object the caller may or may not see: null when allowed; 404 when the
    /// caller may not even read it; 403 naming the permission when it may read but not act.
    /// </summary>
    public static ProblemHttpResult? Deny(HttpContext http, string? owner, string readAny, string manageAny, Func<ProblemHttpResult> notFound) =>
        May(http, owner, manageAny) ? null
        : May(http, owner, readAny) ? ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
            $"This belongs to someone else: acting on it needs the permission '{manageAny}', which none of your roles grants.")
        : notFound();
}
