using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class JobsApi
{
    /// <summary>The periodic jobs this API knows; the silos register them (see docs/operations.md).</summary>
    public static readonly IReadOnlyList<string> KnownJobs = JobRules.BuiltIn;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", ListAsync).WithName("ListJobs").RequirePermission(Permissions.SystemMetrics).WithSummary("Periodic jobs with their schedule and last run");
        jobs.MapPost("/{name}/run", RunAsync).WithName("RunJob").RequirePermission(Permissions.SystemAdmin).WithSummary("Run a periodic job now, outside its schedule");
        return app;
    }

    private static async Task<Ok<JobStatus[]>> ListAsync(IGrainFactory grains) =>
        TypedResults.Ok(await Task.WhenAll(KnownJobs.Select(j => grains.GetGrain<IPeriodicJobGrain>(j).GetStatusAsync().AsTask())));

    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> RunAsync(string name, IGrainFactory grains) =>
        KnownJobs.Contains(name)
            ? TypedResults.Ok(await grains.GetGrain<IPeriodicJobGrain>(name).RunNowAsync())
            : ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound, $"No periodic job named '{name}'. GET /api/jobs lists them.");
}
