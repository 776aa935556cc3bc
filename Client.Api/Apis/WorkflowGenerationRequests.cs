namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/workflows/generate. Unknown fields are rejected.</summary>
/// <param name="Goal">What the workflow should achieve, in words (required, at most WorkflowRules.GoalMaxLength characters).</param>
/// <param name="AgentId">A hosted agent to plan with; absent: the default planner (Workflows:Planner).</param>
/// <param name="MaxRounds">Drafts the planner may have validated; absent: Workflows:Planner:MaxRounds (3).</param>
public sealed record WorkflowGenerateBody(string? Goal, string? AgentId, int? MaxRounds);
