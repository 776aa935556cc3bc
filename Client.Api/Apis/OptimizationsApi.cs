using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;
using OrleansAgents.Swarms;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Particle swarm optimisation. A run is validated and capped by the silos (Swarms:* settings);
/// the API checks only the shape of the body.
/// </summary>
public static class OptimizationsApi
{
    /// <summary>Room for per-dimension bounds of the largest configurable problem.</summary>
    public const long MaxBodyBytes = 256 * 1024;

    /// <summary>More bounds than any configuration accepts dimensions: refused before reaching a silo.</summary>
    public const int MaxBounds = 10_000;

    public static IEndpointRouteBuilder MapOptimizationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/swarms/optimizations")
            .WithTags("Swarms")
            .ValidatesId(RouteId.Optimization)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        api.MapPost("/", StartAsync).WithName("StartOptimization").RequirePermission(Permissions.SwarmExecute)
            .WithSummary("Minimise a built-in benchmark function or a skill objective with particle swarm optimisation (SPSO-2011)");
        api.MapGet("/", ListAsync).WithName("ListOptimizations").RequirePermission(Permissions.SwarmRead).WithSummary("Optimisations, newest first");
        api.MapGet("/{id}", GetAsync).WithName("GetOptimization").RequirePermission(Permissions.SwarmRead)
            .WithSummary("Status, best position and value, and the convergence history of an optimisation");
        api.MapPost("/{id}/cancel", CancelAsync).WithName("CancelOptimization").RequirePermission(Permissions.SwarmExecute)
            .WithSummary("Stop a running optimisation, keeping its best so far");
        return app;
    }

    private static async Task<Results<Accepted<OptimizationResponse>, ProblemHttpResult>> StartAsync(
        OptimizationRequestBody body, HttpContext http, IGrainFactory grains, IRateLimitPartitioner partitioner)
    {
        List<SearchBound>? bounds = null;
        if (body.Bounds is { } given)
        {
            if (given.Count is 0 or > MaxBounds || given.Any(b => b?.Min is null || b.Max is null))
            {
                return ProblemResults.Invalid(ErrorCodes.SwarmInvalidBounds,
                    "bounds must be a non-empty list of { \"min\": number, \"max\": number }: one for every dimension, or one per dimension.");
            }

            bounds = [.. given.Select(b => new SearchBound(b!.Min!.Value, b.Max!.Value))];
        }

        if (!IdempotencyKey.TryRead(http, out var key, out var badKey))
        {
            return badKey;
        }

        var submittedBy = partitioner.GetPartitionKey(http, out _) ?? ClientPartitioner.Anonymous;
        var request = new OptimizationRequest(body.Function, body.Skill, body.Capability, body.Dimensions, bounds, body.SwarmSize, body.Iterations,
            body.Seed, body.Inertia, body.C1, body.C2, body.Informants, body.TargetValue, submittedBy);
        var id = key is null ? SwarmRules.NewId() : SwarmRules.IdForIdempotencyKey(submittedBy, key);
        var view = await grains.GetGrain<IOptimizationGrain>(id).StartAsync(request);
        return TypedResults.Accepted($"/api/swarms/optimizations/{id}", OptimizationResponse.From(view));
    }

    private static async Task<Results<Ok<OptimizationResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext http, IGrainFactory grains)
    {
        return await grains.GetGrain<IOptimizationGrain>(id).GetAsync() is { } view && Ownership.May(http, view.Spec.SubmittedBy, Permissions.SwarmReadAny)
            ? TypedResults.Ok(OptimizationResponse.From(view))
            : NotFound(id);
    }

    private static async Task<Results<Ok<OptimizationResponse>, ProblemHttpResult>> CancelAsync(string id, HttpContext http, IGrainFactory grains)
    {
        var optimization = grains.GetGrain<IOptimizationGrain>(id);
        if (await optimization.GetAsync() is not { } view)
        {
            return NotFound(id);
        }

        return Ownership.Deny(http, view.Spec.SubmittedBy, Permissions.SwarmReadAny, Permissions.SwarmManageAny, () => NotFound(id)) is { } denied
            ? denied
            : TypedResults.Ok(OptimizationResponse.From(await optimization.CancelAsync()));
    }

    private static ProblemHttpResult NotFound(string id) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.SwarmNotFound, $"Optimisation '{id}' does not exist.");

    private static async Task<Results<Ok<OptimizationListResponse>, ProblemHttpResult>> ListAsync([AsParameters] PageRequest paging, HttpContext http, IGrainFactory grains)
    {
        if (!paging.TrySize(SwarmRules.DefaultPageSize, SwarmRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        if (paging.Cursor is not null && !SwarmRules.IsValidId(paging.Cursor))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor must be the nextCursor of a previous page.");
        }

        var page = await grains.GetGrain<IOptimizationIndexGrain>(0).ListAsync(pageSize, paging.Cursor);

        // Without swarm:read-any only the caller's own (a page may then be short; follow nextCursor).
        var items = Ownership.Holds(http, Permissions.SwarmReadAny) ? page.Items : [.. page.Items.Where(o => Ownership.Owns(http, o.SubmittedBy))];
        return TypedResults.Ok(new OptimizationListResponse(items, page.NextCursor));
    }
}
