using System.Text.Json;
using OrleansAgents.Swarms;

namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/swarms/consensus.</summary>
public sealed record ConsensusRequestBody(
    string? Capability,
    string? Skill,
    JsonElement? Input,
    int? Agents,
    string? Aggregation = null,
    int? Quorum = null,
    double? DeadlineSeconds = null,
    string? ScoringSkill = null,
    double? WaitSeconds = null);

/// <summary>One agent's part of a round: its answer (canonical JSON) and the weight of its vote.</summary>
public sealed record ConsensusParticipantResponse(
    string AgentId,
    string TaskId,
    ConsensusParticipantState State,
    JsonElement? Answer,
    double Trust,
    double? Weight,
    bool? Agrees,
    string? Error);

/// <summary>A round as the API shows it.</summary>
public sealed record ConsensusRoundResponse(
    string Id,
    ConsensusStatus Status,
    string Capability,
    string Skill,
    JsonElement Input,
    ConsensusAggregation Aggregation,
    int Agents,
    int Quorum,
    double DeadlineSeconds,
    string? ScoringSkill,
    JsonElement? Answer,
    double? AgreementRatio,
    IReadOnlyList<ConsensusParticipantResponse> Participants,
    IReadOnlyList<string> TimedOut,
    IReadOnlyList<string> Failed,
    string SubmittedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset DeadlineAt,
    DateTimeOffset? FinishedAt)
{
    public static ConsensusRoundResponse From(ConsensusRoundView v) => new(
        v.Id, v.Status, v.Request.Capability, v.Request.Skill, TaskResponse.Parse(v.Request.InputJson), v.Request.Aggregation,
        v.Request.Agents, v.Request.Quorum, v.Request.Deadline?.TotalSeconds ?? 0, v.Request.ScoringSkill,
        v.AnswerJson is null ? null : TaskResponse.Parse(v.AnswerJson), v.AgreementRatio,
        [.. v.Participants.Select(p => new ConsensusParticipantResponse(p.AgentId, p.TaskId, p.State,
            p.AnswerJson is null ? null : TaskResponse.Parse(p.AnswerJson), p.Trust, p.Weight, p.Agrees, p.Error))],
        [.. v.Participants.Where(p => p.State == ConsensusParticipantState.TimedOut).Select(p => p.AgentId)],
        [.. v.Participants.Where(p => p.State == ConsensusParticipantState.Failed).Select(p => p.AgentId)],
        v.Request.SubmittedBy, v.CreatedAt, v.DeadlineAt, v.FinishedAt);
}
