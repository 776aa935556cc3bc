using OrleansAgents.Swarms;

namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/swarms/optimizations. Absent values take their defaults; unknown fields are rejected.</summary>
public sealed record OptimizationRequestBody(
    string? Function,
    string? Skill,
    string? Capability,
    int? Dimensions,
    IReadOnlyList<BoundBody?>? Bounds,
    int? SwarmSize,
    int? Iterations,
    long? Seed,
    double? Inertia,
    double? C1,
    double? C2,
    int? Informants,
    double? TargetValue);

public sealed record BoundBody(double? Min, double? Max);

public sealed record OptimizationObjective(string? Function, string? Skill, string? Capability);

public sealed record OptimizationParameters(double Inertia, double C1, double C2, int Informants);

/// <summary>An optimisation as the API shows it: the resolved request (what makes it reproducible) and its progress.</summary>
public sealed record OptimizationResponse(
    string Id,
    OptimizationStatus Status,
    OptimizationObjective Objective,
    int Dimensions,
    IReadOnlyList<SearchBound> Bounds,
    int SwarmSize,
    int Iterations,
    long Seed,
    OptimizationParameters Parameters,
    double? TargetValue,
    long Iteration,
    long Evaluations,
    double? BestValue,
    IReadOnlyList<double>? BestPosition,
    IReadOnlyList<ConvergencePoint> History,
    OptimizationError? Error,
    string SubmittedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt)
{
    public static OptimizationResponse From(OptimizationView v)
    {
        var s = v.Spec;
        return new(v.Id, v.Status, new OptimizationObjective(s.Function, s.Skill, s.Capability), s.Dimensions,
            [.. s.Lower.Zip(s.Upper, (min, max) => new SearchBound(min, max))], s.SwarmSize, s.Iterations, s.Seed,
            new OptimizationParameters(s.Parameters.Inertia, s.Parameters.C1, s.Parameters.C2, s.Parameters.Informants), s.TargetValue,
            v.Iteration, v.Evaluations, v.BestValue, v.BestPosition, v.History, v.Error, s.SubmittedBy, v.CreatedAt, v.UpdatedAt, v.FinishedAt);
    }
}

/// <summary>A page of optimisations, newest first; pass <c>nextCursor</c> back as <c>cursor</c>.</summary>
public sealed record OptimizationListResponse(IReadOnlyList<OptimizationSummary> Items, string? NextCursor);
