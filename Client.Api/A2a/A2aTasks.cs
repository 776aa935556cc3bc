using System.Globalization;
using System.Text.Json.Nodes;
using OrleansAgents.Conversations;

namespace OrleansAgents.Api.A2a;

/// <summary>
/// An A2A task is one conversation turn and an A2A context is the conversation: the task id is
/// <c>{conversationId}.{turnId}</c>, so any API replica finds the turn's grain from the id alone,
/// and the turn's state survives whatever the conversation grain survives.
/// </summary>
public static class A2aTasks
{
    /// <summary>The one artifact of a task: the agent's reply text.</summary>
    public const string ReplyArtifactId = "reply";

    public static string TaskId(string conversationId, string turnId) => conversationId + "." + turnId;

    public static bool TryParseTaskId(string? taskId, out string conversationId, out string turnId)
    {
        conversationId = turnId = "";
        var dot = taskId?.LastIndexOf('.') ?? -1;
        if (dot <= 0 || !ConversationRules.IsValidId(taskId![..dot]) ||
            !int.TryParse(taskId.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var turn) || turn < 1 ||
            turn.ToString(CultureInfo.InvariantCulture) != taskId[(dot + 1)..])
        {
            return false;
        }

        conversationId = taskId[..dot];
        turnId = taskId[(dot + 1)..];
        return true;
    }

    public static string State(TurnState state) => state switch
    {
        TurnState.Queued => "TASK_STATE_SUBMITTED",
        TurnState.Running => "TASK_STATE_WORKING",
        TurnState.Completed => "TASK_STATE_COMPLETED",
        TurnState.Failed => "TASK_STATE_FAILED",
        _ => "TASK_STATE_CANCELED",
    };

    /// <summary>The turn state an A2A <c>status</c> filter names, or null for an unknown or unspecified one.</summary>
    public static TurnState? ParseState(string? state) => state switch
    {
        "TASK_STATE_SUBMITTED" => TurnState.Queued,
        "TASK_STATE_WORKING" => TurnState.Running,
        "TASK_STATE_COMPLETED" => TurnState.Completed,
        "TASK_STATE_FAILED" => TurnState.Failed,
        "TASK_STATE_CANCELED" => TurnState.Cancelled,
        _ => null,
    };

    /// <summary>RFC 3339 in UTC with a Z, as the protobuf JSON mapping writes a Timestamp.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>JSON as any JSON reader expects it, without the HTML-safe escaping of '+' and quotes (this is never HTML).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Wire = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static bool IsTerminal(TurnState state) => state is TurnState.Completed or TurnState.Failed or TurnState.Cancelled;

    public static JsonObject Task(ConversationView conversation, TurnView turn, int? historyLength = null, bool includeArtifacts = true)
    {
        var id = TaskId(conversation.Id, turn.Id);
        var task = new JsonObject
        {
            ["id"] = id,
            ["contextId"] = conversation.Id,
            ["status"] = Status(conversation.Id, turn),
        };
        if (includeArtifacts && turn.Reply is not null)
        {
            task["artifacts"] = new JsonArray(ReplyArtifact(turn.Reply));
        }

        var history = new List<JsonNode> { Message(conversation.Id, id, "user", turn.Content) };
        if (turn.Reply is not null)
        {
            history.Add(Message(conversation.Id, id, "agent", turn.Reply));
        }

        var keep = historyLength is { } n ? Math.Min(n, history.Count) : history.Count;
        if (keep > 0)
        {
            task["history"] = new JsonArray([.. history.Skip(history.Count - keep)]);
        }

        var metadata = new JsonObject { ["agentId"] = conversation.AgentId, ["turnId"] = turn.Id, ["createdAt"] = Timestamp(turn.CreatedAt) };
        if (turn.Usage is { } usage)
        {
            metadata["usage"] = new JsonObject
            {
                ["inputTokens"] = usage.InputTokens,
                ["outputTokens"] = usage.OutputTokens,
                ["totalTokens"] = usage.TotalTokens,
                ["modelCalls"] = usage.ModelCalls,
                ["toolCalls"] = usage.ToolCalls,
            };
        }

        if (turn.Error is { } error)
        {
            metadata["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        }

        task["metadata"] = metadata;
        return task;
    }

    public static JsonObject Status(string contextId, TurnView turn)
    {
        var status = new JsonObject
        {
            ["state"] = State(turn.State),
            ["timestamp"] = Timestamp(turn.FinishedAt ?? turn.StartedAt ?? turn.CreatedAt),
        };
        var text = turn.State switch
        {
            TurnState.Completed => turn.Reply,
            TurnState.Failed => turn.Error is { } e ? $"{e.Code}: {e.Message}" : "The turn failed.",
            _ => null,
        };
        if (text is not null)
        {
            status["message"] = Message(contextId, TaskId(contextId, turn.Id), "agent", text);
        }

        return status;
    }

    public static JsonObject ReplyArtifact(string text) => new()
    {
        ["artifactId"] = ReplyArtifactId,
        ["name"] = "reply",
        ["parts"] = new JsonArray(new JsonObject { ["text"] = text, ["mediaType"] = "text/plain" }),
    };

    /// <summary>A message of the task's history; ids derive from the task so the same message always has the same id.</summary>
    public static JsonObject Message(string contextId, string taskId, string role, string text) => new()
    {
        ["messageId"] = taskId + "-" + role,
        ["contextId"] = contextId,
        ["taskId"] = taskId,
        ["role"] = role == "user" ? "ROLE_USER" : "ROLE_AGENT",
        ["parts"] = new JsonArray(new JsonObject { ["text"] = text }),
    };
}
