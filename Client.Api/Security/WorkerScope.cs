using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

/// <summary>
/// Worker keys: an API key created with <c>agents</c> acts for those agents only. On the worker
/// endpoints (lease, renew, progress, complete, fail, heartbeat) it stands in for the agent's owner
/// who created it, and is refused (403 <c>auth.agent_out_of_scope</c>) on any other agent, whatever
/// its roles. Everywhere else only its roles count, so a key with no roles can do nothing else.
/// </summary>
public static class WorkerScope
{
    /// <summary>One claim per agent of a worker key.</summary>
    public const string AgentClaim = "agent";

    /// <summary>Policies of the worker endpoints: the permission from a role, or a worker key.</summary>
    public const string ExecutePolicy = "worker:" + Permissions.AgentExecute;
    public const string HeartbeatPolicy = "worker:" + Permissions.AgentUpdate;

    public static bool IsScoped(HttpContext http) => http.User.HasClaim(c => c.Type == AgentClaim);

    public static bool Covers(HttpContext http, string agentId) => http.User.HasClaim(AgentClaim, agentId);

    /// <summary>Null when the caller may act for the agent as a worker key (or is no worker key); else the 403.</summary>
    public static ProblemHttpResult? Deny(HttpContext http, string agentId) =>
        !IsScoped(http) || Covers(http, agentId) ? null
        : ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthAgentOutOfScope,
            $"This API key acts only for the agents {string.Join(", ", http.User.FindAll(AgentClaim).Select(c => c.Value))}, not '{agentId}'.");

    /// <summary>For the task endpoints: a worker key may act only on its agents' tasks (an unknown task is left to the grain).</summary>
    public static async Task<ProblemHttpResult?> DenyTaskAsync(HttpContext http, IGrainFactory grains, string taskId) =>
        IsScoped(http) && await grains.GetGrain<ITaskGrain>(taskId).GetAsync() is { } task ? Deny(http, task.AgentId) : null;

    public static void AddPolicies(AuthorizationOptions options)
    {
        options.AddPolicy(ExecutePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => Allows(c, Permissions.AgentExecute)));
        options.AddPolicy(HeartbeatPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => Allows(c, Permissions.AgentUpdate)));
    }

    /// <summary>Like <see cref="EndpointPermissionExtensions.RequirePermission"/>, for an endpoint a worker key may also call.</summary>
    public static TBuilder RequireWorker<TBuilder>(this TBuilder builder, string policy, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy).WithMetadata(new RequiredPermissionAttribute(permission));

    private static bool Allows(AuthorizationHandlerContext context, string permission) =>
        context.User.HasClaim(c => c.Type == AgentClaim)
        || Roles.PermissionsOf(context.User.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(permission);
}
