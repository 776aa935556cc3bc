using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;
using OrleansAgents.Swarms;

namespace OrleansAgents.Api.Apis;

public static class ConsensusApi
{
    private static readonly Dictionary<string, ConsensusAggregation> Aggregations = new(StringComparer.Ordinal)
    {
        ["majority"] = ConsensusAggregation.Majority,
        ["trust-weighted"] = ConsensusAggregation.TrustWeighted,
        ["best-score"] = ConsensusAggregation.BestScore,
    };

    public static IEndpointRouteBuilder MapConsensusApi(this IEndpointRouteBuilder app)
    {
        var rounds = app.MapGroup("/swarms/consensus")
            .WithTags("Swarms")
            .ValidatesId(RouteId.ConsensusRound)
            .WithMetadata(new RequestSizeLimitAttribute(TasksApi.MaxBodyBytes));
        rounds.MapPost("/", StartAsync).WithName("StartConsensus").RequirePermission(Permissions.SwarmExecute)
            .WithSummary("Ask several agents with a capability the same task and aggregate their answers");
        rounds.MapGet("/{id}", GetAsync).WithName("GetConsensus").RequirePermission(Permissions.SwarmRead)
            .WithSummary("A consensus round: chosen answer, agreement and each agent's answer");
        return app;
    }

    private static async Task<Results<Accepted<ConsensusRoundResponse>, Ok<ConsensusRoundResponse>, ProblemHttpResult>> StartAsync(
        ConsensusRequestBody body, HttpContext http, IGrainFactory grains, IRateLimitPartitioner partitioner)
    {
        if (!AgentRules.IsValidCapability(body.Capability))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskInvalidTarget, $"capability is required and must match {AgentRules.CapabilityPattern}.");
        }

        if (!TaskRules.IsValidSkillName(body.Skill))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskUnknownSkill, $"skill is required and must match {TaskRules.SkillPattern}; GET /api/skills lists them.");
        }

        if (body.Input is not { ValueKind: not System.Text.Json.JsonValueKind.Undefined } input)
        {
            return ProblemResults.Invalid(ErrorCodes.TaskInvalidInput, "input is required (any JSON value the skill accepts).");
        }

        if (body.Agents is not { } agents || agents < 1)
        {
            return ProblemResults.Invalid(ErrorCodes.ConsensusInvalidAgents, "agents (how many agents to ask) is required and must be at least 1.");
        }

        var aggregation = ConsensusAggregation.Majority;
        if (body.Aggregation is not null && !Aggregations.TryGetValue(body.Aggregation, out aggregation))
        {
            return ProblemResults.Invalid(ErrorCodes.ConsensusInvalidAggregation, "aggregation must be majority, trust-weighted or best-score.");
        }

        var quorum = body.Quorum ?? (agents / 2) + 1;
        if (quorum < 1 || quorum > agents)
        {
            return ProblemResults.Invalid(ErrorCodes.ConsensusInvalidQuorum, $"quorum must be between 1 and agents ({agents}).");
        }

        if (body.ScoringSkill is not null && !TaskRules.IsValidSkillName(body.ScoringSkill))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskUnknownSkill, $"scoringSkill must match {TaskRules.SkillPattern}.");
        }

        TimeSpan? deadline = null;
        if (body.DeadlineSeconds is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.FromDays(1).TotalSeconds)
            {
                return ProblemResults.Invalid(ErrorCodes.ConsensusInvalidDeadline, "deadlineSeconds must be a positive number of seconds.");
            }

            deadline = TimeSpan.FromSeconds(seconds);
        }

        var wait = body.WaitSeconds ?? 0;
        if (!double.IsFinite(wait) || wait < 0 || wait > ConsensusRules.MaxWaitSeconds)
        {
            return ProblemResults.Invalid(ErrorCodes.ConsensusInvalidWait, $"waitSeconds must be between 0 and {ConsensusRules.MaxWaitSeconds}.");
        }

        if (!IdempotencyKey.TryRead(http, out var key, out var badKey))
        {
            return badKey;
        }

        var submittedBy = partitioner.GetPartitionKey(http, out _) ?? ClientPartitioner.Anonymous;
        var id = key is null ? ConsensusRules.NewId() : ConsensusRules.IdForIdempotencyKey(submittedBy, key);
        var request = new ConsensusRequest(body.Capability, body.Skill, input.GetRawText(), agents, aggregation, quorum, deadline, body.ScoringSkill, submittedBy);
        var round = grains.GetGrain<IConsensusRoundGrain>(id);
        var view = await round.StartAsync(request);
        if (view.Status == ConsensusStatus.Running && wait > 0)
        {
            view = await round.WaitAsync(TimeSpan.FromSeconds(wait), http.RequestAborted) ?? view;
        }

        var location = $"/api/swarms/consensus/{id}";
        http.Response.Headers.Location = location;
        var response = ConsensusRoundResponse.From(view);
        return view.Status == ConsensusStatus.Running ? TypedResults.Accepted(location, response) : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<ConsensusRoundResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext http, IGrainFactory grains)
    {
        return await grains.GetGrain<IConsensusRoundGrain>(id).GetAsync() is { } view && Ownership.May(http, view.Request.SubmittedBy, Permissions.SwarmReadAny)
            ? TypedResults.Ok(ConsensusRoundResponse.From(view))
            : ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.ConsensusNotFound, $"Consensus round '{id}' does not exist.");
    }
}
