using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.RateLimiting;

/// <summary>
/// Wires the bucket grains into the standard ASP.NET rate limiting middleware: one policy,
/// partitioned per caller and per route cost, required by the /api route group.
/// </summary>
public static class RateLimitingSetup
{
    public const string PolicyName = "per-user";

    public static IServiceCollection AddAgentsRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<ApiRateLimitOptions>().BindConfiguration(ApiRateLimitOptions.Section)
            .Validate(o => o.RouteCosts.Values.All(c => c is >= 1 and <= RateLimitRules.MaxCost),
                $"RateLimiting:RouteCosts values must be between 1 and {RateLimitRules.MaxCost}.")
            .Validate(o => o.LeaseUnits is null or (>= 0 and <= RateLimitRules.MaxLeaseUnits),
                $"RateLimiting:LeaseUnits must be between 0 and {RateLimitRules.MaxLeaseUnits}.")
            .Validate(o => o.LeaseTtl > TimeSpan.Zero && o.LeaseTtl <= TimeSpan.FromMinutes(1),
                "RateLimiting:LeaseTtl must be positive and at most 00:01:00.")
            .ValidateOnStart();
        services.AddSingleton<IRateLimitPartitioner, ClientPartitioner>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LeasedAllowances>();
        services.AddHostedService(sp => sp.GetRequiredService<LeasedAllowances>());
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy<(string Key, RateLimitCost Cost)>(PolicyName, context =>
            {
                var sp = context.RequestServices;
                var options = sp.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                if (!options.Enabled)
                {
                    return RateLimitPartition.GetNoLimiter(("", new RateLimitCost(0)));
                }

                // The header was validated by UseAgentsRateLimiting, so a key is always there here.
                var key = sp.GetRequiredService<IRateLimitPartitioner>().GetPartitionKey(context, out _) ?? ClientPartitioner.Anonymous;
                (string Key, RateLimitCost Cost) partition = (key, CostOf(context, options));
                var leases = sp.GetRequiredService<LeasedAllowances>();
                return RateLimitPartition.Get(partition, k =>
                    new GrainRateLimiter(sp.GetRequiredService<IGrainFactory>(), k.Key, k.Cost, leases.Enabled ? leases : null));
            });
            limiter.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>On /api: rejects malformed caller ids, then writes the RateLimit headers on every limited response.</summary>
    public static WebApplication UseAgentsRateLimiting(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.Use(async (context, next) =>
        {
            var partitioner = context.RequestServices.GetRequiredService<IRateLimitPartitioner>();
            if (partitioner.GetPartitionKey(context, out var error) is null)
            {
                await TypedResults.Problem(ProblemResults.Create(400, ErrorCodes.RateLimitInvalidUser, error!)).ExecuteAsync(context);
                return;
            }

            var holder = RateLimitDecisionScope.Begin();
            context.Response.OnStarting(() =>
            {
                if (holder.Decision is { } decision)
                {
                    RateLimitHeaders.Write(context.Response.Headers, decision);
                }

                return Task.CompletedTask;
            });
            await next(context);
        }));
        app.UseRateLimiter();
        return app;
    }

    private static RateLimitCost CostOf(HttpContext context, ApiRateLimitOptions options)
    {
        var endpoint = context.GetEndpoint();
        var declared = endpoint?.Metadata.GetMetadata<RateLimitCost>() ?? new RateLimitCost(1);
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        return route is not null && options.RouteCosts.TryGetValue($"{context.Request.Method} {route}", out var configured)
            ? declared with { Cost = configured }
            : declared;
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        if (!rejected.Lease.TryGetMetadata(GrainRateLimiter.DecisionMetadata, out var decision) || decision is null)
        {
            await TypedResults.Problem(ProblemResults.Create(503, ErrorCodes.Unavailable, "The rate limiter could not decide; retry shortly.", recoverable: true)).ExecuteAsync(context);
            return;
        }

        var problem = ProblemResults.Create(429, ErrorCodes.RateLimitExceeded,
            $"The '{decision.ViolatedWindow}' limit of the '{decision.Tier}' tier is used up; retry after {RateLimitHeaders.Seconds(decision.RetryAfter)} s.",
            recoverable: true);
        problem.Extensions["policy"] = decision.ViolatedWindow;
        problem.Extensions["tier"] = decision.Tier;
        problem.Extensions["retryAfterSeconds"] = RateLimitHeaders.Seconds(decision.RetryAfter);
        await TypedResults.Problem(problem).ExecuteAsync(context);
    }
}
