using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static partial class CircuitBreakersApi
{
    private const int MaxReasonLength = 200;

    public static IEndpointRouteBuilder MapCircuitBreakersApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/circuit-breakers")
            .WithTags("Circuit breakers");

        group.MapGet("/", ListAsync).WithName("ListCircuitBreakers").RequirePermission(Permissions.SystemMetrics).WithSummary("Every breaker with its state, counters and recent transitions");
        group.MapGet("/{name}", GetAsync).WithName("GetCircuitBreaker").RequirePermission(Permissions.SystemMetrics).WithSummary("One breaker");
        group.MapPost("/{name}/isolate", IsolateAsync).WithName("IsolateCircuitBreaker").RequirePermission(Permissions.SystemConfig).WithSummary("Hold the breaker open until closed by hand");
        group.MapPost("/{name}/close", CloseAsync).WithName("CloseCircuitBreaker").RequirePermission(Permissions.SystemConfig).WithSummary("Close the breaker by hand");
        group.MapPost("/reset-all", ResetAllAsync).WithName("ResetAllCircuitBreakers").RequirePermission(Permissions.SystemConfig).WithSummary("Close every breaker, isolated ones included");
        return api;
    }

    private static async Task<Ok<BreakerResponse[]>> ListAsync(IGrainFactory grains) =>
        TypedResults.Ok(Responses(await grains.GetGrain<IBreakerRegistryGrain>(0).ListViewsAsync()));

    private static async Task<Results<Ok<BreakerResponse>, ProblemHttpResult>> GetAsync(string name, IGrainFactory grains)
    {
        if (!BreakerRules.IsValidName(name))
        {
            return InvalidName();
        }

        // Listing the registry first keeps a typo from creating a breaker.
        if (!await grains.GetGrain<IBreakerRegistryGrain>(0).ContainsAsync(name))
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.BreakerNotFound, $"No breaker named '{name}' has been used or configured.");
        }

        return TypedResults.Ok(BreakerResponse.From(await grains.GetGrain<ICircuitBreakerGrain>(name).GetAsync()));
    }

    private static Task<Results<Ok<BreakerResponse>, ProblemHttpResult>> IsolateAsync(string name,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReasonRequest? body, IGrainFactory grains, HttpContext context) =>
        ChangeAsync(name, body, grains, context, AuditActions.BreakerIsolated, r => grains.GetGrain<ICircuitBreakerGrain>(name).IsolateAsync(r));

    private static Task<Results<Ok<BreakerResponse>, ProblemHttpResult>> CloseAsync(string name,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReasonRequest? body, IGrainFactory grains, HttpContext context) =>
        ChangeAsync(name, body, grains, context, AuditActions.BreakerClosed, r => grains.GetGrain<ICircuitBreakerGrain>(name).CloseAsync(r));

    private static async Task<Ok<BreakerResponse[]>> ResetAllAsync(IGrainFactory grains, HttpContext context)
    {
        var views = Responses(await grains.GetGrain<IBreakerRegistryGrain>(0).CloseAllAsync("reset-all"));
        await Audit.RecordAsync(grains, context, AuditActions.BreakerResetAll, null, AuditOutcomes.Succeeded, $"closed {views.Length} breaker(s)");
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Ok<BreakerResponse>, ProblemHttpResult>> ChangeAsync(string name, ReasonRequest? body,
        IGrainFactory grains, HttpContext context, string auditAction, Func<string, Task<BreakerView>> change)
    {
        if (!BreakerRules.IsValidName(name))
        {
            return InvalidName();
        }

        var reason = body?.Reason?.Trim() is { Length: > 0 } r ? r : "manual";
        if (reason.Length > MaxReasonLength)
        {
            return ProblemResults.Invalid(ErrorCodes.BreakerInvalidReason, $"reason is at most {MaxReasonLength} characters.");
        }

        var view = await grains.AuditedAsync(context, auditAction, name, $"reason: {reason}", () => change(reason));
        return TypedResults.Ok(BreakerResponse.From(view));
    }

    private static BreakerResponse[] Responses(IReadOnlyList<BreakerView> views) => [.. views.Select(BreakerResponse.From)];

    private static ProblemHttpResult InvalidName() =>
        ProblemResults.Invalid(ErrorCodes.BreakerInvalidName, $"Breaker names must match {BreakerRules.NamePattern}.");
}
