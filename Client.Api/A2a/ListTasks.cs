using System.Globalization;
using System.Text.Json.Nodes;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Security;

namespace OrleansAgents.Api.A2a;

/// <summary>
/// ListTasks: the caller's tasks, newest context first and newest turn first within it. On the
/// cluster's endpoint the contexts are those the caller started over A2A; on an agent's endpoint
/// every conversation of the caller with that agent. The page token is the id of the last task
/// looked at, so the next page continues right after it.
/// </summary>
public static class ListTasks
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    /// <summary>Turns looked at per page at most, so a filter that matches little cannot make one call scan everything.</summary>
    public const int ScanBudget = 500;

    /// <summary>Contexts counted for totalSize at most (beyond, it is a lower bound).</summary>
    public const int MaxCountedContexts = 1000;

    private const int ContextBatch = 20;

    public static async Task<JsonNode> RunAsync(A2aCaller caller, JsonObject p)
    {
        await caller.RequireAsync(Permissions.AgentRead);
        var contextId = Params.Text(p, "contextId", 64);
        var status = StatusFilter(p["status"]);
        var pageSize = Params.Number(p, "pageSize", 1, MaxPageSize) ?? DefaultPageSize;
        var historyLength = Params.Number(p, "historyLength", 0, 1000);
        var includeArtifacts = Params.Bool(p, "includeArtifacts") ?? false;
        DateTimeOffset? after = null;
        if (Params.Text(p, "statusTimestampAfter", 64) is { Length: > 0 } timestamp)
        {
            after = DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw A2aException.Invalid("statusTimestampAfter must be an ISO 8601 timestamp.");
        }

        // Where to start: the turn before the token's task in the token's context, or the newest context.
        string? startContext = null;
        var startTurn = int.MaxValue;
        if (Params.Text(p, "pageToken", 128) is { Length: > 0 } token)
        {
            if (!A2aTasks.TryParseTaskId(token, out var tokenContext, out var tokenTurn) ||
                (!string.IsNullOrEmpty(contextId) && tokenContext != contextId) ||
                await caller.ConversationAsync(tokenContext, write: true) is null)
            {
                throw A2aException.Invalid("pageToken is not one this endpoint returned; start again without it.");
            }

            startContext = tokenContext;
            startTurn = int.Parse(tokenTurn, CultureInfo.InvariantCulture) - 1;
        }

        var tasks = new JsonArray();
        var scanned = 0;
        string? last = null;
        var more = false;
        await foreach (var (grain, view, fromTurn) in ContextsAsync(caller, contextId, startContext, startTurn))
        {
            // Newest turn first, fetched in slices; stop before the first turn that no longer fits.
            for (var top = Math.Min(fromTurn, view.Turns); top >= 1 && !more;)
            {
                var take = Math.Min(top, MaxPageSize);
                var slice = await grain.ListTurnsAsync(take, (top - take).ToString(CultureInfo.InvariantCulture));
                foreach (var turn in slice.Items.Reverse())
                {
                    if (tasks.Count >= pageSize || scanned >= ScanBudget)
                    {
                        more = true;
                        break;
                    }

                    scanned++;
                    last = A2aTasks.TaskId(view.Id, turn.Id);
                    if ((status is null || turn.State == status) &&
                        (after is null || (turn.FinishedAt ?? turn.StartedAt ?? turn.CreatedAt) > after))
                    {
                        tasks.Add(A2aTasks.Task(view, turn, historyLength ?? 0, includeArtifacts));
                    }
                }

                top -= take;
            }

            if (more)
            {
                break;
            }
        }

        return new JsonObject
        {
            ["tasks"] = tasks,
            ["nextPageToken"] = more && last is not null ? last : "",
            ["pageSize"] = pageSize,
            ["totalSize"] = await TotalAsync(caller, contextId),
        };
    }

    /// <summary>
    /// The status filter: a state name or its proto number. No filter for TASK_STATE_UNSPECIFIED (0) and for
    /// "UNRECOGNIZED", which @a2a-js/sdk 1.3.0 sends when the caller gives no status.
    /// </summary>
    private static TurnState? StatusFilter(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var name = node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => (string?)node,
            System.Text.Json.JsonValueKind.Number when node.AsValue().TryGetValue<int>(out var n) && n is >= 0 and <= 5 =>
                n == 0 ? "TASK_STATE_UNSPECIFIED" : A2aTasks.State((TurnState)(n - 1)),
            _ => "?",
        };
        return name is "TASK_STATE_UNSPECIFIED" or "UNRECOGNIZED" or ""
            ? null
            : A2aTasks.ParseState(name)
                ?? throw A2aException.Invalid("status must be one of TASK_STATE_SUBMITTED, TASK_STATE_WORKING, TASK_STATE_COMPLETED, TASK_STATE_FAILED, TASK_STATE_CANCELED.");
    }

    /// <summary>How many tasks the caller has here (within contextId when given), before the status and time filters.</summary>
    private static async Task<int> TotalAsync(A2aCaller caller, string? contextId)
    {
        var (total, contexts) = (0, 0);
        await foreach (var (_, view, _) in ContextsAsync(caller, contextId, null, int.MaxValue))
        {
            total += view.Turns;
            if (++contexts >= MaxCountedContexts)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>The contexts to look through, each with the newest turn to start at.</summary>
    private static async IAsyncEnumerable<(IConversationGrain Grain, ConversationView View, int FromTurn)> ContextsAsync(
        A2aCaller caller, string? contextId, string? startContext, int startTurn)
    {
        if (!string.IsNullOrEmpty(contextId))
        {
            if (await caller.ConversationAsync(contextId, write: true) is var (grain, view))
            {
                yield return (grain, view, startContext is null ? int.MaxValue : startTurn);
            }

            yield break;
        }

        var index = caller.Grains.GetGrain<IConversationIndexGrain>(
            caller.AgentScope is { } agent ? ConversationRules.IndexKey(agent, caller.Subject) : caller.A2aIndexKey);
        if (startContext is not null && await caller.ConversationAsync(startContext, write: true) is var (first, firstView))
        {
            yield return (first, firstView, startTurn);
        }

        var cursor = startContext;
        while (true)
        {
            var page = await index.ListAsync(ContextBatch, cursor);
            var views = await Task.WhenAll(page.Ids.Select(id => caller.ConversationAsync(id, write: true)));
            foreach (var found in views)
            {
                if (found is var (grain, view))
                {
                    yield return (grain, view, int.MaxValue);
                }
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            cursor = page.NextCursor;
        }
    }
}
