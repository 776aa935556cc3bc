using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.RateLimiting;
using OrleansAgents.Security;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Today's (UTC) model usage of hosted agents' turns: the caller's own (<c>GET /api/usage</c>;
/// someone else's with <c>?user=</c> and system:metrics) and one agent's
/// (<c>GET /api/agents/{id}/usage</c>), in tokens and USD, split by provider and model.
/// </summary>
public static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/usage", UserUsageAsync).WithName("GetUsage").RequirePermission(Permissions.AgentRead)
            .WithSummary("The caller's hosted-agent usage today (user=... needs system:metrics)");
        app.MapGet("/agents/{id}/usage", AgentUsageAsync).WithName("GetAgentUsage").RequirePermission(Permissions.AgentRead)
            .WithSummary("One agent's usage today, against its daily budgets");
    }

    private static async Task<Results<Ok<UsageResponse>, ProblemHttpResult>> UserUsageAsync(string? user, HttpContext http, IGrainFactory grains, TimeProvider time)
    {
        var caller = http.User.FindFirst(AgentClaims.Subject)?.Value ?? "";
        if (user is not null && !RateLimitRules.IsValidUserId(user))
        {
            return ProblemResults.Invalid(ErrorCodes.RateLimitInvalidUser, $"user must match {RateLimitRules.UserIdPattern}.");
        }

        if (user is not null && user != caller
            && !Roles.PermissionsOf(http.User.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(Permissions.SystemMetrics))
        {
            return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                $"Reading another user's usage needs the permission {Permissions.SystemMetrics}.");
        }

        var now = time.GetUtcNow();
        var usage = await grains.GetGrain<IAgentSpendGrain>(ConversationRules.UserUsageKey(user ?? caller, now)).GetUsageAsync();
        return TypedResults.Ok(UsageResponse.Of(user ?? caller, null, now, usage));
    }

    private static async Task<Results<Ok<UsageResponse>, ProblemHttpResult>> AgentUsageAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        if (!AgentRules.IsValidId(id))
        {
            return ProblemResults.Invalid(ErrorCodes.AgentInvalidId, $"Agent ids must match {AgentRules.IdPattern}.");
        }

        if (await grains.GetGrain<IAgentGrain>(id).GetAsync() is null)
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.AgentNotFound, $"Agent '{id}' is not registered.");
        }

        var now = time.GetUtcNow();
        var usage = await grains.GetGrain<IAgentSpendGrain>(ConversationRules.SpendKey(id, now)).GetUsageAsync();
        return TypedResults.Ok(UsageResponse.Of(null, id, now, usage));
    }
}

/// <summary>One UTC day's usage; <c>models</c> is short (one entry per provider/model used), so it is not paginated.</summary>
public sealed record UsageResponse(string? User, string? AgentId, string Day, long Tokens, decimal CostUsd, int Turns, IReadOnlyList<ModelUsage> Models)
{
    public static UsageResponse Of(string? user, string? agentId, DateTimeOffset now, UsageTotals usage) => new(
        user, agentId, now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        usage.Tokens, usage.CostUsd, usage.Turns, usage.Models);
}
