using OrleansAgents.Grains.Hosting;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

[GenerateSerializer, Alias("OrleansAgents.ConsensusRoundState.v1")]
public sealed class ConsensusRoundState
{
    [Id(0)] public ConsensusRequest? Request { get; set; }

    [Id(1)] public ConsensusStatus Status { get; set; }

    /// <summary>Answers are stored canonical (see <see cref="ConsensusCanonicalJson"/>).</summary>
    [Id(2)] public List<ConsensusParticipant> Participants { get; set; } = [];

    /// <summary>best-score: scoring task id per distinct canonical answer.</summary>
    [Id(3)] public Dictionary<string, string> ScoringTasks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>best-score: score per canonical answer; NaN when scoring failed.</summary>
    [Id(4)] public Dictionary<string, double> Scores { get; set; } = new(StringComparer.Ordinal);

    [Id(5)] public string? AnswerJson { get; set; }

    [Id(6)] public double? AgreementRatio { get; set; }

    [Id(7)] public DateTimeOffset CreatedAt { get; set; }

    [Id(8)] public DateTimeOffset DeadlineAt { get; set; }

    [Id(9)] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Ratings and network edges of a finished round are stored; the reminder can go.</summary>
    [Id(10)] public bool FollowUpsDone { get; set; }

    /// <summary>The request's <see cref="RequestFingerprint"/>; empty in rounds stored before it was kept.</summary>
    [Id(11)] public string Fingerprint { get; set; } = "";

    /// <summary>What a resend under the same key must match: for an older round, the same rule over its stored request (no migration).</summary>
    public string EffectiveFingerprint => Fingerprint.Length > 0 || Request is null ? Fingerprint : FingerprintOf(Request);

    /// <summary>Over the request with its deadline resolved, as it is stored.</summary>
    public static string FingerprintOf(ConsensusRequest r) =>
        RequestFingerprint.Of(r.Capability, r.Skill, r.InputJson, r.Agents, r.Aggregation, r.Quorum, r.Deadline, r.ScoringSkill, r.SubmittedBy);
}
