using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// An agent's memory. Keys travel in the path as they are, through a catch-all segment, so keys
/// with <c>/</c> and <c>:</c> need no encoding (<c>GET /api/agents/a/memory/notes/2026:01</c>).
/// </summary>
public static class MemoryApi
{
    /// <summary>Room for the largest entry the silo may be configured to accept, with JSON escapes and whitespace.</summary>
    public const long MaxBodyBytes = 2L * MemoryRules.EntryBytesLimit;

    public static IEndpointRouteBuilder MapMemoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/agents/{id}")
            .WithTags("Memory")
            .ValidatesId(RouteId.Agent)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));

        api.MapGet("/memory", ListAsync).WithName("ListMemory").RequirePermission(Permissions.MemoryRead).WithSummary("List an agent's memory entries by key prefix and/or tag, one page at a time");
        api.MapGet("/memory-usage", UsageAsync).WithName("GetMemoryUsage").RequirePermission(Permissions.MemoryRead).WithSummary("An agent's memory usage against its quota");
        api.MapGet("/memory/{**key}", GetAsync).WithName("GetMemoryEntry").RequirePermission(Permissions.MemoryRead).WithSummary("Read one memory entry");
        api.MapPut("/memory/{**key}", PutAsync).WithName("PutMemoryEntry").RequirePermission(Permissions.MemoryCreate).WithSummary("Create or replace a memory entry");
        api.MapDelete("/memory/{**key}", DeleteAsync).WithName("DeleteMemoryEntry").RequirePermission(Permissions.MemoryDelete).WithSummary("Delete a memory entry");
        return app;
    }

    private static async Task<Results<Created<MemoryEntryResponse>, Ok<MemoryEntryResponse>, ProblemHttpResult>> PutAsync(
        string id, string? key, MemoryPutRequest body, HttpContext http, IGrainFactory grains)
    {
        if (Check(id, key) is { } problem)
        {
            return problem;
        }

        if (body.Value.ValueKind == System.Text.Json.JsonValueKind.Undefined)
        {
            return ProblemResults.Invalid(ErrorCodes.MemoryMissingValue, "The body needs a value (any JSON, null included): {\"value\": ...}.");
        }

        // A bound keeps the conversion to a TimeSpan safe; the grain applies Memory:MaxTimeToLive.
        if (body.TtlSeconds is < 1 or > int.MaxValue)
        {
            return ProblemResults.Invalid(ErrorCodes.MemoryInvalidTtl, "ttlSeconds must be a positive whole number of seconds.");
        }

        if (await DenyWriteAsync(id, http, grains) is { } denied)
        {
            return denied;
        }

        // Replacing an entry is an update: memory:update, on top of the memory:create the route needs.
        if (!Ownership.Holds(http, Permissions.MemoryUpdate) && await grains.GetGrain<IAgentMemoryGrain>(id).GetAsync(key!) is not null)
        {
            return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                $"'{key}' exists: replacing it needs the permission '{Permissions.MemoryUpdate}', which none of your roles grants.");
        }

        var ttl = body.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var view = await grains.GetGrain<IAgentMemoryGrain>(id).PutAsync(key!, new MemoryWrite(body.Value.GetRawText(), body.Tags ?? [], ttl));
        var response = MemoryEntryResponse.From(view);
        return view.Version == 1
            ? TypedResults.Created($"/api/agents/{id}/memory/{view.Key}", response)
            : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<MemoryEntryResponse>, ProblemHttpResult>> GetAsync(string id, string? key, IGrainFactory grains)
    {
        if (Check(id, key) is { } problem)
        {
            return problem;
        }

        return await grains.GetGrain<IAgentMemoryGrain>(id).GetAsync(key!) is { } view
            ? TypedResults.Ok(MemoryEntryResponse.From(view))
            : NotFound(id, key!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, string? key, HttpContext http, IGrainFactory grains)
    {
        if (Check(id, key) is { } problem)
        {
            return problem;
        }

        // Readers may see whether an entry exists anyway, so a missing one answers 404 before ownership.
        if (await grains.GetGrain<IAgentMemoryGrain>(id).GetAsync(key!) is null)
        {
            return NotFound(id, key!);
        }

        if (await DenyWriteAsync(id, http, grains) is { } denied)
        {
            return denied;
        }

        return await grains.GetGrain<IAgentMemoryGrain>(id).DeleteAsync(key!)
            ? TypedResults.NoContent()
            : NotFound(id, key!);
    }

    private static async Task<Results<Ok<MemoryListResponse>, ProblemHttpResult>> ListAsync(
        string id, string? prefix, string? tag, [AsParameters] PageRequest paging, IGrainFactory grains)
    {
        if (!paging.TrySize(MemoryRules.DefaultPageSize, MemoryRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        string? after = null;
        if (paging.Cursor is not null && !MemoryCursor.TryDecode(paging.Cursor, out after))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
        }

        // prefix and tag are checked by the grain, with the same codes.
        var page = await grains.GetGrain<IAgentMemoryGrain>(id).ListAsync(new MemoryQuery(prefix, tag, pageSize, after));
        return TypedResults.Ok(new MemoryListResponse(
            page.Items.Select(MemoryEntryResponse.From).ToArray(),
            page.NextCursor is null ? null : MemoryCursor.Encode(page.NextCursor)));
    }

    private static async Task<Results<Ok<MemoryUsage>, ProblemHttpResult>> UsageAsync(string id, IGrainFactory grains)
    {
        return TypedResults.Ok(await grains.GetGrain<IAgentMemoryGrain>(id).GetUsageAsync());
    }

    /// <summary>
    /// An agent's memory steers what it does next, so only its owner (the subject that registered it,
    /// metadata <c>owner</c>) writes it, or a holder of memory:write-any.
    /// </summary>
    private static async Task<ProblemHttpResult?> DenyWriteAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (Ownership.Holds(http, Permissions.MemoryWriteAny))
        {
            return null;
        }

        var agent = await grains.GetGrain<IAgentGrain>(id).GetAsync();
        return agent is not null && Ownership.Owns(http, AgentOwnership.OwnerOf(agent))
            ? null
            : ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                $"Only the owner of agent '{id}' writes its memory; others need the permission '{Permissions.MemoryWriteAny}'.");
    }

    private static ProblemHttpResult? Check(string id, string? key) =>
        !MemoryRules.IsValidKey(key) ? ProblemResults.Invalid(ErrorCodes.MemoryInvalidKey, MemoryRules.KeyRule)
        : null;

    private static ProblemHttpResult NotFound(string id, string key) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.MemoryNotFound, $"Agent '{id}' has no memory entry '{key}'.");
}
