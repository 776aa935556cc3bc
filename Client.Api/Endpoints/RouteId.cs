using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;
using OrleansAgents.Swarms;
using OrleansAgents.Conversations;

namespace OrleansAgents.Api.Endpoints;

/// <summary>
/// A kind of id that appears in routes: its route parameter, its rule and the 400 a malformed one
/// gets. A group (or endpoint) declares it once with <see cref="RouteIdExtensions.ValidatesId{TBuilder}"/>
/// and its handlers receive only well-formed ids, so no handler repeats the check.
/// </summary>
public sealed record RouteId(string Parameter, Func<string, bool> IsValid, string Code, string Detail)
{
    public static readonly RouteId Agent = new("id", id => AgentRules.IsValidId(id), ErrorCodes.AgentInvalidId, $"Agent ids must match {AgentRules.IdPattern}.");

    public static readonly RouteId Task = new("id", id => TaskRules.IsValidId(id), ErrorCodes.TaskInvalidId, $"Task ids must match {TaskRules.IdPattern}.");

    public static readonly RouteId Workflow = new("id", id => WorkflowRules.IsValidId(id), ErrorCodes.WorkflowInvalidId,
        $"Workflow ids are 1-64 lower-case letters, digits, '_' or '-' ({WorkflowRules.IdPattern}).");

    public static readonly RouteId WorkflowRun = new("runId", id => WorkflowRules.IsValidRunId(id), ErrorCodes.WorkflowRunInvalidId, $"Run ids must match {WorkflowRules.RunIdPattern}.");

    public static readonly RouteId Optimization = new("id", id => SwarmRules.IsValidId(id), ErrorCodes.SwarmInvalidId, $"Optimisation ids must match {SwarmRules.IdPattern}.");

    public static readonly RouteId ConsensusRound = new("id", id => ConsensusRules.IsValidId(id), ErrorCodes.ConsensusInvalidId, $"Round ids match {ConsensusRules.IdPattern}.");

    public static readonly RouteId Conversation = new("id", id => ConversationRules.IsValidId(id), ErrorCodes.ConversationInvalidId, $"Conversation ids must match {ConversationRules.IdPattern}.");

    /// <summary>The 400 for a malformed id of this kind (also for ids that arrive in a body or query).</summary>
    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Invalid() => ProblemResults.Invalid(Code, Detail);
}

public static class RouteIdExtensions
{
    /// <summary>
    /// Answers a malformed <paramref name="id"/> route value with its 400 before the handler runs (after
    /// body binding, as the handlers' own checks did). Endpoints of the group without that parameter are untouched.
    /// </summary>
    public static TBuilder ValidatesId<TBuilder>(this TBuilder builder, RouteId id) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.RouteValues.TryGetValue(id.Parameter, out var value) && value is string text && !id.IsValid(text)
                ? id.Invalid()
                : await next(context));
}
