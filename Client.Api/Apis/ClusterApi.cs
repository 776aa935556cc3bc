using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Runtime;
using OrleansAgents.Api.Security;

namespace OrleansAgents.Api.Apis;

/// <summary>The cluster's silos as its membership table sees them (Orleans' management grain), for the console's overview.</summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var cluster = app.MapGroup("/cluster").WithTags("Cluster");
        cluster.MapGet("/silos", SilosAsync).WithName("ListSilos").RequirePermission(Permissions.SystemMetrics)
            .WithSummary("Every silo in the membership table with its status, start time and last liveness write; active ones first");
        return app;
    }

    private static async Task<Ok<SiloResponse[]>> SilosAsync(IGrainFactory grains)
    {
        var entries = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        return TypedResults.Ok(entries
            .OrderBy(e => e.Status == SiloStatus.Active ? 0 : 1)
            .ThenBy(e => e.SiloName, StringComparer.Ordinal)
            .Select(SiloResponse.From)
            .ToArray());
    }
}

/// <summary>One silo: <c>status</c> is Orleans' membership status (joining, active, shutting_down, stopping, dead).</summary>
public sealed record SiloResponse(string Address, string Name, string HostName, string Status, DateTimeOffset StartedAt, DateTimeOffset LastAliveAt, int SuspectedBy)
{
    public static SiloResponse From(MembershipEntry e) => new(
        e.SiloAddress.ToParsableString(), e.SiloName, e.HostName, StatusName(e.Status),
        new DateTimeOffset(DateTime.SpecifyKind(e.StartTime, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(e.IAmAliveTime, DateTimeKind.Utc)),
        e.SuspectTimes?.Count ?? 0);

    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.ShuttingDown => "shutting_down",
        _ => status.ToString().ToLowerInvariant(),
    };
}
