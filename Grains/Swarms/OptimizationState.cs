using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// An optimisation's stored record (Orleans binary serializer: never renumber an [Id] or change
/// the alias). While running it is a checkpoint: <see cref="Progress"/> and <see cref="Particles"/>
/// are stored together every few iterations, and a new activation resumes from them.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.Swarms.OptimizationState.v1")]
public sealed class OptimizationState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public OptimizationSpec? Spec { get; set; }
    [Id(2)] public OptimizationStatus Status { get; set; }
    [Id(3)] public SwarmProgress? Progress { get; set; }

    /// <summary>Every particle as of <see cref="SwarmProgress.Iteration"/>; empty before the first checkpoint and once finished.</summary>
    [Id(4)] public List<ParticleSnapshot> Particles { get; set; } = [];
    [Id(5)] public OptimizationError? Error { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(8)] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary><see cref="Hosting.RequestFingerprint"/> of the request: a resend under the same Idempotency-Key must match it.</summary>
    [Id(9)] public string Fingerprint { get; set; } = "";
}
