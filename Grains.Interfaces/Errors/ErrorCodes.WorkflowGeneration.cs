namespace OrleansAgents.Errors;

/// <summary>Codes of POST /api/workflows/generate (a goal → a workflow drafted by a planner agent).</summary>
public static partial class ErrorCodes
{
    /// <summary>400: the goal is missing, blank or over WorkflowRules.GoalMaxLength characters.</summary>
    public const string WorkflowGenerateInvalidGoal = "workflow.generate_invalid_goal";

    /// <summary>400: maxRounds outside 1..Workflows:Planner:MaxRoundsLimit.</summary>
    public const string WorkflowGenerateInvalidMaxRounds = "workflow.generate_invalid_max_rounds";

    /// <summary>422: the planner's final draft is not valid (its findings in <c>errors</c>, the draft in <c>draft</c>); nothing stored.</summary>
    public const string WorkflowGenerateInvalid = "workflow.generate_invalid";

    /// <summary>A finding of a 422: the planner gave no draft at all, or one that is not a JSON definition.</summary>
    public const string WorkflowGenerateBadDraft = "workflow.generate_bad_draft";

    /// <summary>503: no agentId and no default planner: no provider under Skills:Llm:Providers that Workflows:Planner can use.</summary>
    public const string WorkflowPlannerNotConfigured = "workflow.planner_not_configured";

    /// <summary>503: the planner's provider failed (network, 5xx, throttled, breaker open); the provider's own code is in the detail.</summary>
    public const string WorkflowPlannerUnavailable = "workflow.planner_unavailable";
}
