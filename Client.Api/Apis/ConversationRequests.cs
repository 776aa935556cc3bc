using System.Text.Json;
using OrleansAgents.Conversations;

namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/conversations/{id}/messages.</summary>
public sealed record MessageRequest(string? Content);

/// <summary>The answer to a message: the turn (queued or already running) and where to watch it.</summary>
public sealed record MessageAccepted(string ConversationId, string TurnId, TurnView Turn, string Events);

/// <summary>A conversation with one page of its turns (oldest first).</summary>
public sealed record ConversationResponse(ConversationView Conversation, IReadOnlyList<TurnView> Turns, string? NextCursor);

/// <summary>A page of conversations, newest first.</summary>
public sealed record ConversationListResponse(IReadOnlyList<ConversationView> Items, string? NextCursor);

/// <summary>One event as Server-Sent Events carry it; arguments and results are JSON, not strings.</summary>
public sealed record ConversationEventResponse(
    long Sequence,
    DateTimeOffset At,
    ConversationEventType Type,
    string TurnId,
    TurnState? State,
    string? Text,
    string? CallId,
    string? Tool,
    JsonElement? Arguments,
    JsonElement? Result,
    string? TaskId,
    ConversationError? Error,
    TurnUsage? Usage)
{
    public static ConversationEventResponse From(ConversationEvent e) => new(
        e.Sequence, e.At, e.Type, e.TurnId, e.State, e.Text, e.CallId, e.Tool,
        e.ArgumentsJson is null ? null : TaskResponse.Parse(e.ArgumentsJson),
        e.ResultJson is null ? null : TaskResponse.Parse(e.ResultJson),
        e.TaskId, e.Error, e.Usage);

    /// <summary>The SSE event name: turn, delta, tool_call, tool_result, message, usage.</summary>
    public static string Name(ConversationEventType type) => type switch
    {
        ConversationEventType.ToolCall => "tool_call",
        ConversationEventType.ToolResult => "tool_result",
        _ => type.ToString().ToLowerInvariant(),
    };
}
