using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static partial class RateLimitsApi
{
    public static IEndpointRouteBuilder MapRateLimitsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/rate-limits")
            .WithTags("Rate limits");

        group.MapGet("/{userId}", GetAsync).WithName("GetRateLimit").RequirePermission(Permissions.SystemMetrics).WithSummary("A user's tier, limits, usage and remaining quota");
        group.MapPut("/{userId}/tier", SetTierAsync).WithName("SetRateLimitTier").RequirePermission(Permissions.SystemConfig).WithSummary("Move a user to another tier");
        group.MapPost("/{userId}/reset", ResetAsync).WithName("ResetRateLimit").RequirePermission(Permissions.SystemAdmin).WithSummary("Forget a user's usage (the tier is kept)");
        return api;
    }

    private static async Task<Results<Ok<RateLimitStatusResponse>, ProblemHttpResult>> GetAsync(string userId, IGrainFactory grains) =>
        RateLimitRules.IsValidUserId(userId)
            ? TypedResults.Ok(RateLimitStatusResponse.From(await grains.GetGrain<IRateLimitBucketGrain>(userId).GetStatusAsync()))
            : InvalidUser();

    private static async Task<Results<Ok<RateLimitStatusResponse>, ProblemHttpResult>> SetTierAsync(string userId, TierRequest body, IGrainFactory grains, HttpContext context)
    {
        if (!RateLimitRules.IsValidUserId(userId))
        {
            return InvalidUser();
        }

        if (string.IsNullOrWhiteSpace(body.Tier))
        {
            return ProblemResults.Invalid(ErrorCodes.RateLimitUnknownTier, "tier is required.");
        }

        var tier = body.Tier;
        var status = await grains.AuditedAsync(context, AuditActions.RateLimitTier, userId, $"tier: {tier}",
            () => grains.GetGrain<IRateLimitBucketGrain>(userId).SetTierAsync(tier));
        return TypedResults.Ok(RateLimitStatusResponse.From(status));
    }

    private static async Task<Results<Ok<RateLimitStatusResponse>, ProblemHttpResult>> ResetAsync(string userId, IGrainFactory grains, HttpContext context) =>
        RateLimitRules.IsValidUserId(userId)
            ? TypedResults.Ok(RateLimitStatusResponse.From(await grains.AuditedAsync(context, AuditActions.RateLimitReset, userId, null,
                () => grains.GetGrain<IRateLimitBucketGrain>(userId).ResetAsync())))
            : InvalidUser();

    private static ProblemHttpResult InvalidUser() =>
        ProblemResults.Invalid(ErrorCodes.RateLimitInvalidUser, $"User ids must match {RateLimitRules.UserIdPattern}.");
}
