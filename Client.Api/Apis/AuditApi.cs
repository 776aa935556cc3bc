using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/audit")
            .WithTags("Audit");

        group.MapGet("/", QueryAsync).WithName("QueryAuditLog").RequirePermission(Permissions.SystemAudit).WithSummary("Audit entries, newest first, filtered by actor, action and time");
        return api;
    }

    private static async Task<Results<Ok<AuditListResponse>, ProblemHttpResult>> QueryAsync(
        string? actor, string? action, string? from, string? to, [AsParameters] PageRequest paging, IGrainFactory grains)
    {
        if (actor is { Length: 0 or > AuditRules.MaxActorLength } || action is { Length: 0 or > AuditRules.MaxActionLength })
        {
            return InvalidQuery($"actor is 1 to {AuditRules.MaxActorLength} characters and action 1 to {AuditRules.MaxActionLength}.");
        }

        if (!TryParseInstant(from, out var fromAt) || !TryParseInstant(to, out var toAt))
        {
            return InvalidQuery("from and to are ISO-8601 date-times, e.g. 2026-03-01T12:00:00Z.");
        }

        if (fromAt > toAt)
        {
            return InvalidQuery("from must not be after to.");
        }

        if (!paging.TrySize(AuditRules.DefaultPageSize, AuditRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        long? beforeId = null;
        if (paging.Cursor is not null)
        {
            if (!AuditCursor.TryDecode(paging.Cursor, out var id))
            {
                return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
            }

            beforeId = id;
        }

        var page = await grains.GetGrain<IAuditLogGrain>(0).QueryAsync(new AuditQuery(actor, action, fromAt, toAt, pageSize, beforeId));
        return TypedResults.Ok(new AuditListResponse(page.Items, page.NextBeforeId is { } next ? AuditCursor.Encode(next) : null));
    }

    /// <summary>A date-time with an offset or Z; one without is taken as UTC, never as the server's local time.</summary>
    private static bool TryParseInstant(string? text, out DateTimeOffset? instant)
    {
        instant = null;
        if (text is null)
        {
            return true;
        }

        if (text.Length > 64 || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        instant = parsed;
        return true;
    }

    private static ProblemHttpResult InvalidQuery(string detail) => ProblemResults.Invalid(ErrorCodes.AuditInvalidQuery, detail);
}
