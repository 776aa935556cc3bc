using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class CircuitBreakersApi
{
    private const int MaxReasonLength = 200;

    public static IEndpointRouteBuilder MapCircuitBreakersApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/circuit-breakers")
            .WithTags("Circuit breakers")
            .AddEndpointFilter<DomainErrorFilter>();

        group.MapGet("/", ListAsync).WithName("ListCircuitBreakers").WithSummary("Every breaker with its state, counters and recent transitions");
        group.MapGet("/{name}", GetAsync).WithName("GetCircuitBreaker").WithSummary("One breaker");
        group.MapPost("/{name}/isolate", IsolateAsync).WithName("IsolateCircuitBreaker").WithSummary("Hold the breaker open until closed by hand");
        group.MapPost("/{name}/close", CloseAsync).WithName("CloseCircuitBreaker").WithSummary("Close the breaker by hand");
        group.MapPost("/reset-all", ResetAllAsync).WithName("ResetAllCircuitBreakers").WithSummary("Close every breaker, isolated ones included");
        return api;
    }

    private static async Task<Ok<BreakerView[]>> ListAsync(IGrainFactory grains) =>
        TypedResults.Ok(await ViewsAsync(grains, await grains.GetGrain<IBreakerRegistryGrain>(0).ListAsync(), g => g.GetAsync().AsTask()));

    private static async Task<Results<Ok<BreakerView>, ProblemHttpResult>> GetAsync(string name, IGrainFactory grains)
    {
        if (!BreakerRules.IsValidName(name))
        {
            return InvalidName();
        }

        // Listing the registry first keeps a typo from creating a breaker.
        if (!(await grains.GetGrain<IBreakerRegistryGrain>(0).ListAsync()).Contains(name))
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.BreakerNotFound, $"No breaker named '{name}' has been used or configured.");
        }

        return TypedResults.Ok(await grains.GetGrain<ICircuitBreakerGrain>(name).GetAsync());
    }

    private static Task<Results<Ok<BreakerView>, ProblemHttpResult>> IsolateAsync(string name,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReasonRequest? body, IGrainFactory grains) =>
        ChangeAsync(name, body, r => grains.GetGrain<ICircuitBreakerGrain>(name).IsolateAsync(r));

    private static Task<Results<Ok<BreakerView>, ProblemHttpResult>> CloseAsync(string name,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReasonRequest? body, IGrainFactory grains) =>
        ChangeAsync(name, body, r => grains.GetGrain<ICircuitBreakerGrain>(name).CloseAsync(r));

    private static async Task<Ok<BreakerView[]>> ResetAllAsync(IGrainFactory grains) =>
        TypedResults.Ok(await ViewsAsync(grains, await grains.GetGrain<IBreakerRegistryGrain>(0).ListAsync(), g => g.CloseAsync("reset-all")));

    private static async Task<Results<Ok<BreakerView>, ProblemHttpResult>> ChangeAsync(string name, ReasonRequest? body, Func<string, Task<BreakerView>> change)
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

        return TypedResults.Ok(await change(reason));
    }

    /// <summary>Fans out over the breakers in bounded batches.</summary>
    private static async Task<BreakerView[]> ViewsAsync(IGrainFactory grains, IReadOnlyList<string> names, Func<ICircuitBreakerGrain, Task<BreakerView>> read)
    {
        var views = new List<BreakerView>(names.Count);
        foreach (var batch in names.Chunk(64))
        {
            views.AddRange(await Task.WhenAll(batch.Select(n => read(grains.GetGrain<ICircuitBreakerGrain>(n)))));
        }

        return [.. views];
    }

    private static ProblemHttpResult InvalidName() =>
        ProblemResults.Invalid(ErrorCodes.BreakerInvalidName, $"Breaker names must match {BreakerRules.NamePattern}.");

    public sealed record ReasonRequest(string? Reason);
}
