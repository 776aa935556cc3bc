using System.Text.Json.Serialization;

namespace OrleansAgents.Swarms;

/// <summary>How a consensus round picks its answer from the agents' answers.</summary>
[GenerateSerializer, Alias("OrleansAgents.ConsensusAggregation")]
public enum ConsensusAggregation
{
    /// <summary>The answer most agents gave (plurality); one vote per agent.</summary>
    Majority = 0,

    /// <summary>The answer with the largest sum of the voters' global trust.</summary>
    [JsonStringEnumMemberName("trust-weighted")]
    TrustWeighted = 1,

    /// <summary>The answer the scoring skill scores highest.</summary>
    [JsonStringEnumMemberName("best-score")]
    BestScore = 2,
}

[GenerateSerializer, Alias("OrleansAgents.ConsensusStatus")]
public enum ConsensusStatus
{
    Running = 0,

    /// <summary>Enough answers arrived and one was chosen.</summary>
    Decided = 1,

    /// <summary>Fewer answers than the quorum (or, for best-score, no scored answer) by the deadline.</summary>
    [JsonStringEnumMemberName("no-quorum")]
    NoQuorum = 2,
}

[GenerateSerializer, Alias("OrleansAgents.ConsensusParticipantState")]
public enum ConsensusParticipantState
{
    Pending = 0,
    Answered = 1,
    Failed = 2,

    [JsonStringEnumMemberName("timed-out")]
    TimedOut = 3,
}

/// <summary>
/// What a caller asks for: <paramref name="Agents"/> agents with <paramref name="Capability"/> each run
/// the task; <paramref name="Deadline"/> null means Swarms:ConsensusDefaultDeadline.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConsensusRequest")]
public sealed record class ConsensusRequest(
    [property: Id(0)] string Capability,
    [property: Id(1)] string Skill,
    [property: Id(2)] string InputJson,
    [property: Id(3)] int Agents,
    [property: Id(4)] ConsensusAggregation Aggregation,
    [property: Id(5)] int Quorum,
    [property: Id(6)] TimeSpan? Deadline,
    [property: Id(7)] string? ScoringSkill,
    [property: Id(8)] string SubmittedBy);

/// <summary>
/// One chosen agent's part. <paramref name="Weight"/> is its vote: 1 (majority), its global trust
/// at selection (trust-weighted) or its answer's score (best-score, null until scored).
/// <paramref name="Agrees"/> is set once the round is decided, for agents that answered.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConsensusParticipant")]
public sealed record class ConsensusParticipant(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string TaskId,
    [property: Id(2)] ConsensusParticipantState State,
    [property: Id(3)] string? AnswerJson,
    [property: Id(4)] double Trust,
    [property: Id(5)] double? Weight,
    [property: Id(6)] bool? Agrees,
    [property: Id(7)] string? Error);

/// <summary>
/// A round as readers see it. <paramref name="AgreementRatio"/> = answers canonically equal to the
/// chosen one / answers received.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConsensusRoundView")]
public sealed record class ConsensusRoundView(
    [property: Id(0)] string Id,
    [property: Id(1)] ConsensusRequest Request,
    [property: Id(2)] ConsensusStatus Status,
    [property: Id(3)] string? AnswerJson,
    [property: Id(4)] double? AgreementRatio,
    [property: Id(5)] IReadOnlyList<ConsensusParticipant> Participants,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset DeadlineAt,
    [property: Id(8)] DateTimeOffset? FinishedAt);

/// <summary>A finished task of a round, as the task-outcome sink reports it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ConsensusTaskResult")]
public sealed record class ConsensusTaskResult(
    [property: Id(0)] string TaskId,
    [property: Id(1)] bool Succeeded,
    [property: Id(2)] string? ResultJson,
    [property: Id(3)] string? Error);
