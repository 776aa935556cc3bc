namespace OrleansAgents.Swarms;

[GenerateSerializer, Alias("OrleansAgents.Swarms.OptimizationStatus")]
public enum OptimizationStatus
{
    Running = 0,

    /// <summary>Ran all its iterations, or reached its target value.</summary>
    Completed = 1,
    Cancelled = 2,

    /// <summary>An objective evaluation failed for good (skill objectives), or the run kept losing its particles.</summary>
    Failed = 3,
}

/// <summary>One search-space interval; <see cref="Min"/> must be below <see cref="Max"/>.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.SearchBound")]
public sealed record class SearchBound(
    [property: Id(0)] double Min,
    [property: Id(1)] double Max);

/// <summary>SPSO-2011 coefficients; <see cref="SwarmRules"/> has the defaults.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.SwarmParameters")]
public sealed record class SwarmParameters(
    [property: Id(0)] double Inertia,
    [property: Id(1)] double C1,
    [property: Id(2)] double C2,
    [property: Id(3)] int Informants);

/// <summary>
/// What a caller asks for: either a built-in <see cref="Function"/> or a <see cref="Skill"/> run as
/// tasks routed by <see cref="Capability"/>. Absent values take their defaults (SPSO-2011, the
/// function's classic domain).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.OptimizationRequest")]
public sealed record class OptimizationRequest(
    [property: Id(0)] string? Function,
    [property: Id(1)] string? Skill,
    [property: Id(2)] string? Capability,
    [property: Id(3)] int? Dimensions,
    [property: Id(4)] IReadOnlyList<SearchBound>? Bounds,
    [property: Id(5)] int? SwarmSize,
    [property: Id(6)] int? Iterations,
    [property: Id(7)] long? Seed,
    [property: Id(8)] double? Inertia,
    [property: Id(9)] double? C1,
    [property: Id(10)] double? C2,
    [property: Id(11)] int? Informants,
    [property: Id(12)] double? TargetValue,
    [property: Id(13)] string SubmittedBy);

/// <summary>A request with every default resolved: what actually runs, and what makes a run reproducible.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.OptimizationSpec")]
public sealed record class OptimizationSpec(
    [property: Id(0)] string? Function,
    [property: Id(1)] string? Skill,
    [property: Id(2)] string? Capability,
    [property: Id(3)] int Dimensions,
    [property: Id(4)] IReadOnlyList<double> Lower,
    [property: Id(5)] IReadOnlyList<double> Upper,
    [property: Id(6)] int SwarmSize,
    [property: Id(7)] int Iterations,
    [property: Id(8)] long Seed,
    [property: Id(9)] SwarmParameters Parameters,
    [property: Id(10)] double? TargetValue,
    [property: Id(11)] string SubmittedBy)
{
    /// <summary>The function name, or <c>skill:{name}</c>.</summary>
    public string Objective => Function ?? "skill:" + Skill;
}

/// <summary>The best value after <see cref="Iteration"/> iterations (iteration 0 is the initial swarm).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.ConvergencePoint")]
public sealed record class ConvergencePoint(
    [property: Id(0)] long Iteration,
    [property: Id(1)] long Evaluations,
    [property: Id(2)] double BestValue);

[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.OptimizationError")]
public sealed record class OptimizationError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message);

[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.OptimizationView")]
public sealed record class OptimizationView(
    [property: Id(0)] string Id,
    [property: Id(1)] OptimizationSpec Spec,
    [property: Id(2)] OptimizationStatus Status,
    [property: Id(3)] long Iteration,
    [property: Id(4)] long Evaluations,
    [property: Id(5)] double? BestValue,
    [property: Id(6)] IReadOnlyList<double>? BestPosition,
    [property: Id(7)] IReadOnlyList<ConvergencePoint> History,
    [property: Id(8)] OptimizationError? Error,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] DateTimeOffset UpdatedAt,
    [property: Id(11)] DateTimeOffset? FinishedAt);

[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.OptimizationSummary")]
public sealed record class OptimizationSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Objective,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] OptimizationStatus Status,
    [property: Id(4)] long Iteration,
    [property: Id(5)] double? BestValue,
    [property: Id(6)] string SubmittedBy,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt);

[GenerateSerializer, Immutable, Alias("OrleansAgents.Swarms.OptimizationPage")]
public sealed record class OptimizationPage(
    [property: Id(0)] IReadOnlyList<OptimizationSummary> Items,
    [property: Id(1)] string? NextCursor);
