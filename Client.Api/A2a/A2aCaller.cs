using Microsoft.AspNetCore.Authorization;
using OrleansAgents.Api.Security;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Security;

namespace OrleansAgents.Api.A2a;

/// <summary>
/// Who calls and through which endpoint (the cluster's, or one hosted agent's), and what they may
/// touch. A task or context that is not the caller's is "not found", never "forbidden": nobody
/// learns which ids exist, and a <c>contextId</c> is never an authorization.
/// </summary>
public sealed class A2aCaller(HttpContext http, IGrainFactory grains, string? agentScope)
{
    public HttpContext Http { get; } = http;

    public IGrainFactory Grains { get; } = grains;

    /// <summary>The hosted agent of a per-agent endpoint; null on the cluster's endpoint.</summary>
    public string? AgentScope { get; } = agentScope;

    public string Subject { get; } = http.User.FindFirst(AgentClaims.Subject)?.Value ?? "";

    /// <summary>The index of the contexts this caller started over A2A on the cluster's endpoint ("~" is not in an agent id).</summary>
    public string A2aIndexKey => ConversationRules.IndexKey("~a2a", Subject);

    /// <summary>The same check as the HTTP endpoint's: the permission's policy, evaluated by ASP.NET's authorization service.</summary>
    public async Task RequireAsync(string permission)
    {
        var authorization = Http.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(Http.User, null, permission)).Succeeded)
        {
            throw new A2aException(A2aException.PermissionDenied, "PERMISSION_DENIED", ErrorCodes.AuthForbidden,
                $"This needs the permission '{permission}', which none of your roles grants.");
        }
    }

    private bool CanReadAny() =>
        Roles.PermissionsOf(Http.User.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(Permissions.ConversationReadAny);

    /// <summary>The conversation if the caller may use it (its owner; readers with conversation:read-any for reads) through this endpoint.</summary>
    public async Task<(IConversationGrain Grain, ConversationView View)?> ConversationAsync(string conversationId, bool write)
    {
        if (!ConversationRules.IsValidId(conversationId))
        {
            return null;
        }

        var grain = Grains.GetGrain<IConversationGrain>(conversationId);
        var view = await grain.GetAsync();
        var visible = view is not null
            && (view.Owner == Subject || (!write && CanReadAny()))
            && (AgentScope is null || view.AgentId == AgentScope);
        return visible ? (grain, view!) : null;
    }

    /// <summary>The task's conversation and turn, or TaskNotFound.</summary>
    public async Task<(IConversationGrain Grain, ConversationView View, TurnView Turn)> TaskAsync(string? taskId, bool write)
    {
        if (string.IsNullOrEmpty(taskId))
        {
            throw A2aException.Invalid("id is required: the task id SendMessage returned.");
        }

        if (!A2aTasks.TryParseTaskId(taskId, out var conversationId, out var turnId) ||
            await ConversationAsync(conversationId, write) is not var (grain, view) ||
            await TurnAsync(grain, turnId) is not { } turn)
        {
            throw A2aException.NoTask(taskId);
        }

        return (grain, view, turn);
    }

    public static async Task<TurnView?> TurnAsync(IConversationGrain grain, string turnId)
    {
        var number = int.Parse(turnId, System.Globalization.CultureInfo.InvariantCulture);
        var page = await grain.ListTurnsAsync(1, (number - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return page.Items is [var turn] && turn.Id == turnId ? turn : null;
    }
}
