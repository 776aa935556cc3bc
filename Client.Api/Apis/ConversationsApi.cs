using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Conversations with hosted agents. A conversation belongs to the user who started it: others
/// get 404 as if it did not exist, except holders of <c>conversation:read-any</c>, who may read
/// (never write) everyone's.
/// </summary>
public static class ConversationsApi
{
    public const long MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var agentConversations = app.MapGroup("/agents/{id}/conversations")
            .WithTags("Conversations")
            .ValidatesId(RouteId.Agent)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        agentConversations.MapPost("/", CreateAsync).WithName("StartConversation").RequirePermission(Permissions.AgentExecute)
            .WithSummary("Start a conversation with a hosted agent; the caller owns it");
        agentConversations.MapGet("/", ListAsync).WithName("ListConversations").RequirePermission(Permissions.AgentRead)
            .WithSummary("The caller's conversations with an agent, newest first (owner=... needs conversation:read-any)");

        var conversations = app.MapGroup("/conversations")
            .WithTags("Conversations")
            .ValidatesId(RouteId.Conversation)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        conversations.MapGet("/{id}", GetAsync).WithName("GetConversation").RequirePermission(Permissions.AgentRead)
            .WithSummary("A conversation with its turns (messages, replies, usage), oldest first, one page at a time");
        conversations.MapDelete("/{id}", DeleteAsync).WithName("DeleteConversation").RequirePermission(Permissions.AgentExecute)
            .WithSummary("Cancel what runs and forget the conversation");
        conversations.MapPost("/{id}/messages", PostMessageAsync).WithName("SendMessage").RequirePermission(Permissions.AgentExecute)
            .WithSummary("Send a message: one turn of the agent, run now or after the running one (202 with the turn id)");
        conversations.MapPost("/{id}/turns/{turnId}/cancel", CancelTurnAsync).WithName("CancelTurn").RequirePermission(Permissions.AgentExecute)
            .WithSummary("Cancel a queued or running turn");
        conversations.MapGet("/{id}/events", EventsAsync).WithName("WatchConversation").RequirePermission(Permissions.AgentRead)
            .WithSummary("Server-Sent Events: token deltas, tool calls and results, the final message and usage, until no turn is left");
        return app;
    }

    private static async Task<Results<Created<ConversationView>, ProblemHttpResult>> CreateAsync(string id, HttpContext http, IGrainFactory grains)
    {
        var conversationId = ConversationRules.NewId();
        var view = await grains.GetGrain<IConversationGrain>(conversationId).CreateAsync(id, Caller(http));
        return TypedResults.Created($"/api/conversations/{conversationId}", view);
    }

    private static async Task<Results<Ok<ConversationListResponse>, ProblemHttpResult>> ListAsync(
        string id, string? owner, [AsParameters] PageRequest paging, HttpContext http, IGrainFactory grains)
    {
        if (!paging.TrySize(ConversationRules.DefaultPageSize, ConversationRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        var caller = Caller(http);
        if (owner is not null && owner != caller && !CanReadAny(http.User))
        {
            return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                $"Listing another user's conversations needs the permission {Permissions.ConversationReadAny}.");
        }

        if (paging.Cursor is not null && !ConversationRules.IsValidId(paging.Cursor))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
        }

        var page = await grains.GetGrain<IConversationIndexGrain>(ConversationRules.IndexKey(id, owner ?? caller)).ListAsync(pageSize, paging.Cursor);
        var views = await Task.WhenAll(page.Ids.Select(c => grains.GetGrain<IConversationGrain>(c).GetAsync().AsTask()));
        return TypedResults.Ok(new ConversationListResponse([.. views.OfType<ConversationView>()], page.NextCursor));
    }

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> GetAsync(
        string id, [AsParameters] PageRequest paging, HttpContext http, IGrainFactory grains)
    {
        if (!paging.TrySize(ConversationRules.DefaultPageSize, ConversationRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        var (grain, view, problem) = await ReadableAsync(id, http, grains, write: false);
        if (problem is not null)
        {
            return problem;
        }

        var page = await grain!.ListTurnsAsync(pageSize, paging.Cursor);
        return TypedResults.Ok(new ConversationResponse(view!, page.Items, page.NextCursor));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext http, IGrainFactory grains)
    {
        var (grain, _, problem) = await ReadableAsync(id, http, grains, write: true);
        if (problem is not null)
        {
            return problem;
        }

        await grain!.DeleteAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Accepted<MessageAccepted>, ProblemHttpResult>> PostMessageAsync(
        string id, MessageRequest body, HttpContext http, IGrainFactory grains)
    {
        if (!IdempotencyKey.TryRead(http, out var key, out var badKey))
        {
            return badKey;
        }

        var (grain, _, problem) = await ReadableAsync(id, http, grains, write: true);
        if (problem is not null)
        {
            return problem;
        }

        var turn = await grain!.PostMessageAsync(body.Content ?? "", key);
        var events = $"/api/conversations/{id}/events";
        return TypedResults.Accepted(events, new MessageAccepted(id, turn.Id, turn, events));
    }

    private static async Task<Results<Ok<TurnView>, ProblemHttpResult>> CancelTurnAsync(string id, string turnId, HttpContext http, IGrainFactory grains)
    {
        var (grain, _, problem) = await ReadableAsync(id, http, grains, write: true);
        if (problem is not null)
        {
            return problem;
        }

        return TypedResults.Ok(await grain!.CancelTurnAsync(turnId));
    }

    private static async Task<Results<ServerSentEventsResult<ConversationEventResponse>, ProblemHttpResult>> EventsAsync(
        string id, HttpContext http, IGrainFactory grains)
    {
        if (!EventStreams.TryResumeAfter(http, out var after, out var badHeader))
        {
            return badHeader!;
        }

        var (grain, _, problem) = await ReadableAsync(id, http, grains, write: false);
        if (problem is not null)
        {
            return problem;
        }

        if (!EventStreams.TryOpen(http, out var streamEnds, out var tooMany))
        {
            return tooMany!;
        }

        return TypedResults.ServerSentEvents(EventStreams.FollowAsync<ConversationEvent, ConversationEventResponse>(
            async (after, wait, cancellationToken) =>
            {
                var batch = await grain!.WaitForEventsAsync(after, wait, cancellationToken);
                return (batch.Events, batch.Idle);
            },
            e => (e.Sequence, ConversationEventResponse.From(e), ConversationEventResponse.Name(e.Type)),
            after,
            streamEnds));
    }

    /// <summary>
    /// The conversation if the caller may see it (owner, or conversation:read-any for reads); a
    /// 404 otherwise, so nobody learns which ids exist.
    /// </summary>
    private static async Task<(IConversationGrain? Grain, ConversationView? View, ProblemHttpResult? Problem)> ReadableAsync(
        string id, HttpContext http, IGrainFactory grains, bool write)
    {
        var grain = grains.GetGrain<IConversationGrain>(id);
        var view = await grain.GetAsync();
        var visible = view is not null && (view.Owner == Caller(http) || (!write && CanReadAny(http.User)));
        return visible
            ? (grain, view, null)
            : (null, null, ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.ConversationNotFound, $"Conversation '{id}' does not exist."));
    }

    private static string Caller(HttpContext http) => http.User.FindFirst(AgentClaims.Subject)?.Value ?? "";

    private static bool CanReadAny(ClaimsPrincipal user) =>
        Roles.PermissionsOf(user.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(Permissions.ConversationReadAny);
}
