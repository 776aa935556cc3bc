using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class AgentsApi
{
    /// <summary>Bodies of agent commands are small; anything bigger is a mistake or an attack.</summary>
    public const long MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/agents")
            .WithTags("Agents")
            .ValidatesId(RouteId.Agent)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));

        api.MapPost("/", RegisterAsync).WithName("RegisterAgent").RequirePermission(Permissions.AgentCreate).WithSummary("Register an agent");
        api.MapGet("/", ListAsync).WithName("ListAgents").RequirePermission(Permissions.AgentRead).WithSummary("List agents, filtered by capability and status, one page at a time");
        api.MapGet("/{id}", GetAsync).WithName("GetAgent").RequirePermission(Permissions.AgentRead).WithSummary("Get an agent");
        api.MapPut("/{id}", UpdateAsync).WithName("UpdateAgent").RequirePermission(Permissions.AgentUpdate).WithSummary("Replace an agent's registration");
        api.MapDelete("/{id}", RetireAsync).WithName("RetireAgent").RequirePermission(Permissions.AgentDelete).WithSummary("Retire an agent (it keeps its history)");
        api.MapPost("/{id}/heartbeat", HeartbeatAsync).WithName("AgentHeartbeat").RequireWorker(WorkerScope.HeartbeatPolicy, Permissions.AgentUpdate).WithSummary("Record that the agent is alive, with its current load");
        return app;
    }

    private static async Task<Results<Created<AgentView>, ProblemHttpResult>> RegisterAsync(AgentRequest body, HttpContext http, IGrainFactory grains)
    {
        if (!AgentRules.IsValidId(body.Id))
        {
            return RouteId.Agent.Invalid();
        }

        body = body with { Metadata = AgentOwnership.ForRegistration(http, body.Metadata, out var notYours) };
        if (notYours is not null)
        {
            return notYours;
        }

        var view = await grains.GetGrain<IAgentGrain>(body.Id).RegisterAsync(body.ToSpec());
        return TypedResults.Created($"/api/agents/{view.Id}", view);
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains)
    {
        return await grains.GetGrain<IAgentGrain>(id).GetAsync() is { } view
            ? TypedResults.Ok(view)
            : NotFound(id);
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> UpdateAsync(string id, AgentRequest body, HttpContext http, IGrainFactory grains)
    {
        if (body.Id is not null && body.Id != id)
        {
            return ProblemResults.Invalid(ErrorCodes.AgentInvalidId, "The id in the body differs from the id in the path; ids cannot be changed.");
        }

        body = body with { Metadata = AgentOwnership.ForUpdate(http, body.Metadata, await grains.GetGrain<IAgentGrain>(id).GetAsync(), out var notYours) };
        if (notYours is not null)
        {
            return notYours;
        }

        return TypedResults.Ok(await grains.GetGrain<IAgentGrain>(id).UpdateAsync(body.ToSpec()));
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> RetireAsync(string id, IGrainFactory grains)
    {
        return TypedResults.Ok(await grains.GetGrain<IAgentGrain>(id).RetireAsync());
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> HeartbeatAsync(
        string id, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] HeartbeatRequest? body, IGrainFactory grains, HttpContext http)
    {
        if (WorkerScope.Deny(http, id) is { } outOfScope)
        {
            return outOfScope;
        }

        return TypedResults.Ok(await grains.GetGrain<IAgentGrain>(id).HeartbeatAsync(new AgentHeartbeat(body?.ActiveTasks ?? 0)));
    }

    private static async Task<Results<Ok<AgentListResponse>, ProblemHttpResult>> ListAsync(
        string? capability, string? status, [AsParameters] PageRequest paging, IGrainFactory grains)
    {
        if (capability is not null && !AgentRules.IsValidCapability(capability))
        {
            return ProblemResults.Invalid(ErrorCodes.AgentInvalidCapability, $"capability must match {AgentRules.CapabilityPattern}.");
        }

        AgentStatus? statusFilter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<AgentStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                return ProblemResults.Invalid(ErrorCodes.InvalidStatus, $"status must be one of {WireNames.List<AgentStatus>()}.");
            }

            statusFilter = parsed;
        }

        if (!paging.TrySize(AgentRules.DefaultPageSize, AgentRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        string? after = null;
        if (paging.Cursor is not null && !AgentCursor.TryDecode(paging.Cursor, out after))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
        }

        var page = await grains.GetGrain<IAgentCatalogGrain>(0).ListAsync(new AgentQuery(capability, statusFilter, pageSize, after));
        return TypedResults.Ok(new AgentListResponse(page.Items, page.NextCursor is null ? null : AgentCursor.Encode(page.NextCursor)));
    }

    private static ProblemHttpResult NotFound(string id) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.AgentNotFound, $"Agent '{id}' is not registered.");
}
