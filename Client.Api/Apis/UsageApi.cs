using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.RateLimiting;
using OrleansAgents.Security;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Model usage of hosted agents' turns: the caller's own today (<c>GET /api/usage</c>; someone
/// else's with <c>?user=</c> and system:metrics), a report over days grouped by user, agent or
/// model (<c>?by=&amp;from=&amp;to=</c>: the caller's own rows, everyone's with system:metrics), and
/// one agent's today (<c>GET /api/agents/{id}/usage</c>), in tokens and USD.
/// </summary>
public static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/usage", UserUsageAsync).WithName("GetUsage").RequirePermission(Permissions.AgentRead)
            .WithSummary("The caller's hosted-agent usage today, or by=user|agent|model over from..to (others' need system:metrics)");
        app.MapGet("/agents/{id}/usage", AgentUsageAsync).WithName("GetAgentUsage").RequirePermission(Permissions.AgentRead)
            .WithSummary("One agent's usage today, against its daily budgets");
    }

    private static async Task<Results<Ok<UsageResponse>, Ok<UsageReport>, ProblemHttpResult>> UserUsageAsync(
        string? user, string? by, string? from, string? to, HttpContext http, IGrainFactory grains, TimeProvider time)
    {
        var caller = http.User.FindFirst(AgentClaims.Subject)?.Value ?? "";
        if (user is not null && !RateLimitRules.IsValidUserId(user))
        {
            return ProblemResults.Invalid(ErrorCodes.RateLimitInvalidUser, $"user must match {RateLimitRules.UserIdPattern}.");
        }

        var mayReadAll = Ownership.Holds(http, Permissions.SystemMetrics);
        if (user is not null && user != caller && !mayReadAll)
        {
            return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                $"Reading another user's usage needs the permission {Permissions.SystemMetrics}.");
        }

        var now = time.GetUtcNow();
        if (by is null && from is null && to is null)
        {
            var usage = await grains.GetGrain<IAgentSpendGrain>(ConversationRules.UserUsageKey(user ?? caller, now)).GetUsageAsync();
            return TypedResults.Ok(UsageResponse.Of(user ?? caller, null, now, usage));
        }

        if (!UsageQuery.TryParse(by, from, to, DateOnly.FromDateTime(now.UtcDateTime), out var query, out var problem))
        {
            return problem!;
        }

        // At most MaxUsageRangeDays grain calls, one per day, each answering that day's rows.
        var scope = user ?? (mayReadAll ? null : caller);
        var days = await Task.WhenAll(query.Days.Select(d => grains.GetGrain<IUsageDayGrain>(ConversationRules.UsageDayKey(d)).ListAsync(scope).AsTask()));
        return TypedResults.Ok(query.Report(scope, days.SelectMany(d => d)));
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
