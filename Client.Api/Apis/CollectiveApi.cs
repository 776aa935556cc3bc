using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Collective;

namespace OrleansAgents.Api.Apis;

public static class CollectiveApi
{
    public static IEndpointRouteBuilder MapCollectiveApi(this IEndpointRouteBuilder app)
    {
        var collective = app.MapGroup("/collective").WithTags("Collective");
        collective.MapGet("/network", NetworkAsync).WithName("GetCollaborationNetwork").RequirePermission(Permissions.TrustRead)
            .WithSummary("Who works with whom: delegation, consensus and rating edges, centrality, communities and signals");
        return app;
    }

    private static async Task<Results<Ok<CollaborationNetwork>, ProblemHttpResult>> NetworkAsync(string? limit, IGrainFactory grains)
    {
        if (!QueryParameters.TryPageSize(limit, NetworkRules.DefaultPageSize, NetworkRules.MaxPageSize, out var size, out var problem))
        {
            return problem;
        }

        return TypedResults.Ok(await grains.GetGrain<INetworkAnalyticsGrain>(NetworkRules.DefaultNetwork).GetAsync(size));
    }
}
