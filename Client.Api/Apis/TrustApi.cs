using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;
using OrleansAgents.Trust;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// EigenTrust reputation of the default domain. Ratings are recorded by the caller as a user
/// (the users' peer) or, with <c>rater</c>, as an agent: allowed to holders of trust:admin and to
/// the user named by the agent's <c>owner</c> metadata.
/// </summary>
public static class TrustApi
{
    public const string OwnerMetadataKey = AgentOwnership.MetadataKey;

    public static IEndpointRouteBuilder MapTrustApi(this IEndpointRouteBuilder app)
    {
        var trust = app.MapGroup("/trust").WithTags("Trust");
        trust.MapGet("/", ListAsync).WithName("ListTrust").RequirePermission(Permissions.TrustRead).WithSummary("Agents ranked by global trust, highest first");
        trust.MapPost("/recompute", StartAsync).WithName("RecomputeTrust").RequirePermission(Permissions.TrustAdmin).WithSummary("Start a global trust computation (202); progress at GET /api/trust/recompute");
        trust.MapGet("/recompute", StatusAsync).WithName("GetTrustRecompute").RequirePermission(Permissions.TrustRead).WithSummary("Progress of the running or last global trust computation");

        var agent = app.MapGroup("/agents/{id}").WithTags("Trust").ValidatesId(RouteId.Agent);
        agent.MapGet("/trust", GetAsync).WithName("GetAgentTrust").RequirePermission(Permissions.TrustRead).WithSummary("An agent's global trust and rank");
        agent.MapPost("/ratings", RateAsync).WithName("RateAgent").RequirePermission(Permissions.TrustRate).WithSummary("Rate an agent satisfied or unsatisfied, as a user or as an agent");
        return app;
    }

    private static async Task<Results<Ok<TrustRankingResponse>, ProblemHttpResult>> ListAsync([AsParameters] PageRequest paging, IGrainFactory grains)
    {
        if (!paging.TrySize(TrustRules.DefaultPageSize, TrustRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        long version = 0;
        var offset = 0;
        if (paging.Cursor is not null && !TrustCursor.TryDecode(paging.Cursor, out version, out offset))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
        }

        var page = await grains.GetGrain<ITrustReaderGrain>(TrustRules.DefaultDomain).ListAsync(offset, pageSize, version);
        var next = offset + page.Items.Count < page.Total ? TrustCursor.Encode(page.Version, offset + page.Items.Count) : null;
        return TypedResults.Ok(new TrustRankingResponse([.. page.Items.Select(TrustScoreResponse.From)], page.Total, page.Version, page.ComputedAt, next));
    }

    private static async Task<Results<Ok<TrustScoreResponse>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains)
    {
        if (await CheckAgentAsync(id, grains) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(TrustScoreResponse.From(await grains.GetGrain<ITrustReaderGrain>(TrustRules.DefaultDomain).GetAsync(id)));
    }

    private static async Task<Results<Ok<RatingResponse>, ProblemHttpResult>> RateAsync(
        string id, RatingRequest body, HttpContext http, IGrainFactory grains, IRateLimitPartitioner partitioner)
    {
        if (body.Outcome is not { } outcome)
        {
            return ProblemResults.Invalid(ErrorCodes.TrustInvalidOutcome, "outcome is required: satisfied or unsatisfied.");
        }

        var rater = body.Rater ?? TrustRules.UsersPeer;
        var rating = new TrustRating(rater, id, outcome, body.Weight ?? 1, body.Reason);

        if (body.Rater is not null && !AgentRules.IsValidId(body.Rater))
        {
            return ProblemResults.Invalid(ErrorCodes.TrustInvalidRater, $"rater is an agent id ({AgentRules.IdPattern}); leave it out to rate as a user.");
        }

        try
        {
            TrustRules.Check(rating);
        }
        catch (DomainException ex)
        {
            return TypedResults.Problem(ProblemResults.ForDomain(ex));
        }

        if (await CheckAgentAsync(id, grains) is { } missing)
        {
            return missing;
        }

        if (body.Rater is not null)
        {
            var raterAgent = await grains.GetGrain<IAgentGrain>(body.Rater).GetAsync();
            if (raterAgent is null)
            {
                return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.AgentNotFound, $"Rater agent '{body.Rater}' is not registered.");
            }

            if (!MaySpeakFor(raterAgent, http, partitioner))
            {
                return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.TrustRaterForbidden,
                    $"Only holders of {Permissions.TrustAdmin} and the user in the agent's '{OwnerMetadataKey}' metadata may rate as '{body.Rater}'.");
            }
        }

        var result = await grains.GetGrain<ITrustRecorderGrain>(TrustRules.DefaultDomain).RecordAsync([rating]);
        return TypedResults.Ok(new RatingResponse(rater, id, outcome, rating.Weight, result.Recorded == 1));
    }

    private static async Task<Accepted<TrustRecomputeResponse>> StartAsync(IGrainFactory grains) =>
        TypedResults.Accepted("/api/trust/recompute",
            TrustRecomputeResponse.From(await grains.GetGrain<ITrustCoordinatorGrain>(TrustRules.DefaultDomain).StartRecomputeAsync()));

    private static async Task<Ok<TrustRecomputeResponse>> StatusAsync(IGrainFactory grains) =>
        TypedResults.Ok(TrustRecomputeResponse.From(await grains.GetGrain<ITrustCoordinatorGrain>(TrustRules.DefaultDomain).GetStatusAsync()));

    private static bool MaySpeakFor(AgentView agent, HttpContext http, IRateLimitPartitioner partitioner)
    {
        var roles = http.User.FindAll(AgentClaims.Roles).Select(c => c.Value);
        if (Roles.PermissionsOf(roles).Contains(Permissions.TrustAdmin))
        {
            return true;
        }

        var subject = partitioner.GetPartitionKey(http, out _);
        return subject is not null && agent.Metadata.TryGetValue(OwnerMetadataKey, out var owner) && owner == subject;
    }

    private static async Task<ProblemHttpResult?> CheckAgentAsync(string id, IGrainFactory grains)
    {
        return await grains.GetGrain<IAgentGrain>(id).GetAsync() is null
            ? ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.AgentNotFound, $"Agent '{id}' is not registered.")
            : null;
    }
}
