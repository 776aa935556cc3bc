namespace OrleansAgents.Errors;

/// <summary>Codes of hosted-agent registrations and conversations (issue 14).</summary>
public static partial class ErrorCodes
{
    public const string AgentInvalidInstructions = "agent.invalid_instructions";
    public const string AgentInvalidModel = "agent.invalid_model";
    public const string AgentUnknownProvider = "agent.unknown_provider";
    public const string AgentInvalidTool = "agent.invalid_tool";
    public const string AgentToolNotAllowed = "agent.tool_not_allowed";
    public const string AgentInvalidMaxTurns = "agent.invalid_max_turns";
    public const string AgentInvalidMaxToolCalls = "agent.invalid_max_tool_calls";
    public const string AgentNotHosted = "agent.not_hosted";
    public const string AgentInvalidBudget = "agent.invalid_budget";
    public const string BudgetExceeded = "budget.exceeded";
    public const string AgentDegraded = "agent.degraded";
    public const string UsageInvalidGroup = "usage.invalid_group";
    public const string UsageInvalidRange = "usage.invalid_range";

    public const string ConversationInvalidId = "conversation.invalid_id";
    public const string ConversationNotFound = "conversation.not_found";
    public const string ConversationInvalidContent = "conversation.invalid_content";
    public const string ConversationQueueFull = "conversation.queue_full";
    public const string ConversationFull = "conversation.full";
    public const string ConversationIdempotencyConflict = "conversation.idempotency_conflict";
    public const string ConversationTurnNotFound = "conversation.turn_not_found";
    public const string ConversationInvalidOwner = "conversation.invalid_owner";
}
