using System.Text.Json.Serialization;

namespace OrleansAgents.Conversations;

/// <summary>Where one message's turn is: queued behind a running turn, running, or finished one way.</summary>
[GenerateSerializer, Alias("OrleansAgents.TurnState")]
public enum TurnState
{
    Queued = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
}

/// <summary>The kinds of a conversation's events, as the SSE <c>event:</c> field names them.</summary>
[GenerateSerializer, Alias("OrleansAgents.ConversationEventType")]
public enum ConversationEventType
{
    /// <summary>A turn changed state (queued, running, completed, failed, cancelled).</summary>
    Turn = 0,

    /// <summary>A piece of the answer's text as the provider streamed it.</summary>
    Delta = 1,

    [JsonStringEnumMemberName("tool_call")]
    ToolCall = 2,

    [JsonStringEnumMemberName("tool_result")]
    ToolResult = 3,

    /// <summary>The turn's final assistant message.</summary>
    Message = 4,

    /// <summary>Tokens and calls the turn used.</summary>
    Usage = 5,
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.ConversationError")]
public sealed record class ConversationError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message);

/// <summary>
/// What a turn used: provider tokens, model calls and tool calls of this agent's own model calls;
/// <c>DelegatedTokens</c> / <c>DelegatedCostUsd</c> are what the delegates it asked (ask_{id}) used
/// for it, their own delegates included, so the asking turn shows the whole cost of the answer.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TurnUsage")]
public sealed record class TurnUsage(
    [property: Id(0)] long InputTokens,
    [property: Id(1)] long OutputTokens,
    [property: Id(2)] long TotalTokens,
    [property: Id(3)] int ModelCalls,
    [property: Id(4)] int ToolCalls,
    [property: Id(5)] decimal? CostUsd = null,
    [property: Id(6)] long DelegatedTokens = 0,
    [property: Id(7)] decimal DelegatedCostUsd = 0);

/// <summary>One entry of a conversation's event log; sequence numbers start at 1 and have no gaps.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConversationEvent")]
public sealed record class ConversationEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] ConversationEventType Type,
    [property: Id(3)] string TurnId,
    [property: Id(4)] TurnState? State = null,
    [property: Id(5)] string? Text = null,
    [property: Id(6)] string? CallId = null,
    [property: Id(7)] string? Tool = null,
    [property: Id(8)] string? ArgumentsJson = null,
    [property: Id(9)] string? ResultJson = null,
    [property: Id(10)] string? TaskId = null,
    [property: Id(11)] ConversationError? Error = null,
    [property: Id(12)] TurnUsage? Usage = null);

/// <summary>Events after a sequence; <see cref="Idle"/> when no turn is queued or running (a stream may end).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConversationEventBatch")]
public sealed record class ConversationEventBatch(
    [property: Id(0)] IReadOnlyList<ConversationEvent> Events,
    [property: Id(1)] bool Idle,
    [property: Id(2)] long FirstAvailable);

/// <summary>One message and what the agent made of it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TurnView")]
public sealed record class TurnView(
    [property: Id(0)] string Id,
    [property: Id(1)] TurnState State,
    [property: Id(2)] string Content,
    [property: Id(3)] string? Reply,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? StartedAt,
    [property: Id(6)] DateTimeOffset? FinishedAt,
    [property: Id(7)] TurnUsage? Usage,
    [property: Id(8)] ConversationError? Error);

[GenerateSerializer, Immutable, Alias("OrleansAgents.ConversationView")]
public sealed record class ConversationView(
    [property: Id(0)] string Id,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string Owner,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] int Turns,
    [property: Id(6)] string? RunningTurn,
    [property: Id(7)] int QueuedTurns,
    [property: Id(8)] long LastEventSequence);

/// <summary>A page of a conversation's turns, oldest first; pass <see cref="NextCursor"/> back for the next.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TurnPage")]
public sealed record class TurnPage(
    [property: Id(0)] IReadOnlyList<TurnView> Items,
    [property: Id(1)] string? NextCursor);

/// <summary>A page of conversation ids, newest first.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConversationIdPage")]
public sealed record class ConversationIdPage(
    [property: Id(0)] IReadOnlyList<string> Ids,
    [property: Id(1)] string? NextCursor);
