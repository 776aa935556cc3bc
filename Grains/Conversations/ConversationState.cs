using OrleansAgents.Conversations;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// Stored with the Orleans binary serializer: never renumber an [Id] or change the alias. The agent
/// session is the framework's own JSON (<c>SerializeSessionAsync</c>), stored as text so a framework
/// upgrade changes no grain-state schema.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.ConversationState.v1")]
public sealed class ConversationState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string AgentId { get; set; } = "";
    [Id(2)] public string Owner { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The session after the last completed turn; null before the first.</summary>
    [Id(5)] public string? SessionJson { get; set; }

    [Id(6)] public List<TurnRecord> Turns { get; set; } = [];
    [Id(7)] public List<ConversationEvent> Events { get; set; } = [];
    [Id(8)] public long LastEventSequence { get; set; }

    public TurnRecord? Running => Turns.FirstOrDefault(t => t.State == TurnState.Running);

    public TurnRecord? NextQueued => Turns.FirstOrDefault(t => t.State == TurnState.Queued);

    public bool Busy => Turns.Any(t => t.State is TurnState.Queued or TurnState.Running);
}

[GenerateSerializer, Alias("OrleansAgents.TurnRecord.v1")]
public sealed class TurnRecord
{
    [Id(0)] public string Id { get; set; } = "";
    [Id(1)] public TurnState State { get; set; }
    [Id(2)] public string Content { get; set; } = "";
    [Id(3)] public string? Reply { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset? StartedAt { get; set; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(7)] public TurnUsage? Usage { get; set; }
    [Id(8)] public ConversationError? Error { get; set; }

    /// <summary>How often the turn was started; above 1 it was resumed after its silo died.</summary>
    [Id(9)] public int Starts { get; set; }

    /// <summary>Child tasks of this turn's tool calls, by call id: a resumed turn reuses them.</summary>
    [Id(10)] public Dictionary<string, string> ToolTasks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The Idempotency-Key the message was sent with: a resend answers this turn.</summary>
    [Id(11)] public string? IdempotencyKey { get; set; }

    /// <summary>What the delegates asked by this turn's tool calls used, by call id (agent.run's reported usage).</summary>
    [Id(12)] public Dictionary<string, TurnUsage> Delegated { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The W3C id of the call that posted the message: the turn is a span of that trace (<see cref="Hosting.WorkTracing"/>).</summary>
    [Id(13)] public string? TraceParent { get; set; }

    /// <summary>The message's <see cref="RequestFingerprint"/>; empty in turns stored before it was kept.</summary>
    [Id(14)] public string Fingerprint { get; set; } = "";

    /// <summary>What a resend under the same key must match: for an older turn, the same rule over its stored content (no migration).</summary>
    public string EffectiveFingerprint => Fingerprint.Length > 0 ? Fingerprint : FingerprintOf(Content);

    public static string FingerprintOf(string content) => RequestFingerprint.Of(content);

    public TurnView View() => new(Id, State, Content, Reply, CreatedAt, StartedAt, FinishedAt, Usage, Error);

    public bool Finished => State is TurnState.Completed or TurnState.Failed or TurnState.Cancelled;
}

[GenerateSerializer, Alias("OrleansAgents.ConversationIndexState.v1")]
public sealed class ConversationIndexState
{
    /// <summary>Conversation ids, oldest first.</summary>
    [Id(0)] public List<string> Ids { get; set; } = [];
}
