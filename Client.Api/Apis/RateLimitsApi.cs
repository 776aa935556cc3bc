using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static partial class RateLimitsApi
{
    private const int DefaultTopLimited = 10;

    public static IEndpointRouteBuilder MapRateLimitsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/rate-limits")
            .WithTags("Rate limits");

        group.MapGet("/", TopAsync).WithName("ListRateLimited").RequirePermission(Permissions.SystemMetrics)
            .WithSummary("The users (and API keys, anonymous callers) with the most rate-limit rejections in this and the previous minute");
        group.MapGet("/{userId}", GetAsync).WithName("GetRateLimit").RequirePermission(Permissions.SystemMetrics).WithSummary("A user's tier, limits, usage and remaining quota");
        group.MapPut("/{userId}/tier", SetTierAsync).WithName("SetRateLimitTier").RequirePermission(Permissions.SystemConfig).WithSummary("Move a user to another tier");
        group.MapPost("/{userId}/reset", ResetAsync).WithName("ResetRateLimit").RequirePermission(Permissions.SystemAdmin).WithSummary("Forget a user's usage (the tier is kept)");
        return api;
    }

    private static async Task<Results<Ok<TopLimitedResponse>, ProblemHttpResult>> TopAsync([AsParameters] PageRequest paging, IGrainFactory grains, TimeProvider time)
    {
        if (!paging.TrySize(DefaultTopLimited, RateLimitRules.MaxTopLimited, out var limit, out var badLimit))
        {
            return badLimit;
        }

        // Fixed minutes: this one alone would be nearly empty just after it starts, so the previous one counts too.
        var now = time.GetUtcNow();
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var windows = await Task.WhenAll(new[] { minute.AddMinutes(-1), minute }.Select(m =>
            grains.GetGrain<IRateLimitRejectionsGrain>(RateLimitRules.RejectionWindowKey(m)).GetTopAsync(RateLimitRules.MaxTopLimited).AsTask()));
        var items = windows.SelectMany(w => w)
            .GroupBy(r => r.Key, StringComparer.Ordinal)
            .Select(g => new LimitedResponse(g.Key, g.MaxBy(r => r.LastAt)!.Tier, g.Sum(r => r.Rejections), g.Max(r => r.LastAt)))
            .OrderByDescending(r => r.Rejections).ThenBy(r => r.UserId, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
        return TypedResults.Ok(new TopLimitedResponse(minute.AddMinutes(-1), items));
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
