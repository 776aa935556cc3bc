namespace OrleansAgents.Swarms;

/// <summary>Which particles a batch grain holds, and for which run.</summary>
/// <param name="Epoch">Changes every time the coordinator (re)loads its batches: a batch answering for another epoch has lost or stale particles.</param>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.BatchSetup")]
public sealed record class BatchSetup(
    [property: Id(0)] string OptimizationId,
    [property: Id(1)] OptimizationSpec Spec,
    [property: Id(2)] int FirstParticle,
    [property: Id(3)] int Count,
    [property: Id(4)] Guid Epoch);

/// <summary>One particle's full state: enough to resume it bit for bit (its random stream included).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.ParticleSnapshot")]
public sealed record class ParticleSnapshot(
    [property: Id(0)] IReadOnlyList<double> Position,
    [property: Id(1)] IReadOnlyList<double> Velocity,
    [property: Id(2)] IReadOnlyList<double> Best,
    [property: Id(3)] double BestValue,
    [property: Id(4)] IReadOnlyList<ulong> Random);

/// <summary>A particle whose personal best improved (or was set, at initialisation).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.ParticleImprovement")]
public sealed record class ParticleImprovement(
    [property: Id(0)] int Index,
    [property: Id(1)] double Value,
    [property: Id(2)] IReadOnlyList<double> Position);

/// <summary>
/// One synchronous iteration for a batch. <see cref="Guides"/> has one entry per particle of the
/// batch: the personal best of its best informant, or null when that informant is the particle itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.StepCommand")]
public sealed record class StepCommand(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Iteration,
    [property: Id(2)] IReadOnlyList<IReadOnlyList<double>?> Guides,
    [property: Id(3)] bool Snapshot);

[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.BatchReport")]
public sealed record class BatchReport(
    [property: Id(0)] long Iteration,
    [property: Id(1)] IReadOnlyList<ParticleImprovement> Improved,
    [property: Id(2)] int Evaluations,
    [property: Id(3)] IReadOnlyList<ParticleSnapshot>? Snapshot);
