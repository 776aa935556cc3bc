using Orleans.Concurrency;

namespace OrleansAgents.Conversations;

/// <summary>
/// One conversation with a hosted agent (key: conversation id, see <see cref="ConversationRules.IdPattern"/>).
/// It owns the agent session, runs one turn at a time in the background (later messages queue),
/// checkpoints every model response and tool result, and keeps a reminder while a turn is
/// unfinished so a silo crash resumes it elsewhere.
/// </summary>
[Alias("OrleansAgents.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Starts the conversation; fails with <c>agent.not_hosted</c> when the agent has no model.</summary>
    [Alias("Create")]
    Task<ConversationView> CreateAsync(string agentId, string owner);

    /// <summary>The conversation, or null when it does not exist (never created, or deleted).</summary>
    [Alias("Get")]
    ValueTask<ConversationView?> GetAsync();

    /// <summary>Stores the message as a turn and answers at once; the turn runs now or after the running one.</summary>
    [Alias("PostMessage")]
    Task<TurnView> PostMessageAsync(string content);

    /// <summary>
    /// As <see cref="PostMessageAsync(string)"/>, but a resend with the same idempotency key answers the
    /// turn the first send stored instead of adding another (a different content under the key: 409).
    /// </summary>
    [Alias("PostMessageKeyed")]
    Task<TurnView> PostMessageAsync(string content, string? idempotencyKey);

    [Alias("ListTurns")]
    ValueTask<TurnPage> ListTurnsAsync(int limit, string? after);

    /// <summary>Cancels a queued or running turn; a finished turn is returned unchanged.</summary>
    [Alias("CancelTurn")]
    Task<TurnView> CancelTurnAsync(string turnId);

    /// <summary>Cancels what runs and forgets the conversation.</summary>
    [Alias("Delete")]
    Task DeleteAsync();

    /// <summary>Events after <paramref name="afterSequence"/>, waiting up to <paramref name="maxWait"/> for the first; ends early when <paramref name="cancellationToken"/> is cancelled.</summary>
    [AlwaysInterleave, Alias("WaitForEvents")]
    Task<ConversationEventBatch> WaitForEventsAsync(long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken = default);
}

/// <summary>What one agent's turns used on one UTC day (key: <see cref="ConversationRules.SpendKey"/>): its daily budgets and usage.</summary>
[Alias("OrleansAgents.IAgentSpendGrain")]
public interface IAgentSpendGrain : IGrainWithStringKey
{
    /// <summary>The day's totals and their split by provider and model.</summary>
    [Alias("Usage")]
    ValueTask<UsageTotals> GetUsageAsync();

    /// <summary>Adds one turn's model usage (tokens and, for a priced model, its cost).</summary>
    [Alias("Record")]
    Task RecordAsync(ModelUsage usage);
}

/// <summary>Tokens and cost of one provider/model; <c>CostUsd</c> counts only priced models.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ModelUsage")]
public sealed record class ModelUsage(
    [property: Id(0)] string Provider,
    [property: Id(1)] string Model,
    [property: Id(2)] long InputTokens,
    [property: Id(3)] long OutputTokens,
    [property: Id(4)] decimal CostUsd,
    [property: Id(5)] int Turns = 1)
{
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>This usage with <paramref name="more"/> of the same provider and model added.</summary>
    public ModelUsage Plus(ModelUsage more) => this with
    {
        InputTokens = InputTokens + more.InputTokens,
        OutputTokens = OutputTokens + more.OutputTokens,
        CostUsd = CostUsd + more.CostUsd,
        Turns = Turns + more.Turns,
    };
}

/// <summary>One UTC day's usage of an agent or a user.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.UsageTotals")]
public sealed record class UsageTotals(
    [property: Id(0)] long Tokens,
    [property: Id(1)] decimal CostUsd,
    [property: Id(2)] int Turns,
    [property: Id(3)] IReadOnlyList<ModelUsage> Models);

/// <summary>One owner's conversations with one agent (key: <see cref="ConversationRules.IndexKey"/>), newest first.</summary>
[Alias("OrleansAgents.IConversationIndexGrain")]
public interface IConversationIndexGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string conversationId);

    [Alias("Remove")]
    Task RemoveAsync(string conversationId);

    [Alias("List")]
    ValueTask<ConversationIdPage> ListAsync(int limit, string? after);
}
