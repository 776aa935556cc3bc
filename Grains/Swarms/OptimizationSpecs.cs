using System.Security.Cryptography;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Checks a request against the configured caps and resolves its defaults.</summary>
public static class OptimizationSpecs
{
    /// <summary>Dimensions of a built-in function when the request names neither dimensions nor per-dimension bounds.</summary>
    public const int DefaultDimensions = 30;

    public static OptimizationSpec Resolve(OptimizationRequest r, SwarmOptions o, SkillRegistry skills)
    {
        BenchmarkFunctions.Definition? function = null;
        if ((r.Function is null) == (r.Skill is null))
        {
            throw Invalid(ErrorCodes.SwarmInvalidObjective, "Give exactly one of function (a built-in benchmark) or skill (evaluated as tasks).");
        }

        if (r.Function is not null && !BenchmarkFunctions.TryGet(r.Function, out function))
        {
            throw Invalid(ErrorCodes.SwarmUnknownFunction, $"Unknown function '{Shorten(r.Function)}'; use one of {string.Join(", ", SwarmRules.Functions)}.");
        }

        if (r.Skill is not null)
        {
            if (!TaskRules.IsValidSkillName(r.Skill) || !skills.TryGet(r.Skill, out _))
            {
                throw Invalid(ErrorCodes.SwarmUnknownSkill, $"Unknown skill '{Shorten(r.Skill)}'; GET /api/skills lists them.");
            }

            if (!AgentRules.IsValidCapability(r.Capability))
            {
                throw Invalid(ErrorCodes.SwarmInvalidObjective, $"A skill objective needs a capability (matching {AgentRules.CapabilityPattern}) to route its evaluations.");
            }

            if (r.Bounds is null)
            {
                throw Invalid(ErrorCodes.SwarmInvalidBounds, "A skill objective needs bounds.");
            }
        }
        else if (r.Capability is not null)
        {
            throw Invalid(ErrorCodes.SwarmInvalidObjective, "capability goes with skill, not with a built-in function.");
        }

        var dimensions = r.Dimensions ?? (r.Bounds is { Count: > 1 } b ? b.Count : DefaultDimensions);
        var minDimensions = function?.MinDimensions ?? 1;
        if (dimensions < minDimensions || dimensions > o.MaxDimensions)
        {
            throw Invalid(ErrorCodes.SwarmInvalidDimensions, $"dimensions must be from {minDimensions} to {o.MaxDimensions}.");
        }

        var (lower, upper) = Bounds(r.Bounds, function, dimensions);
        var size = r.SwarmSize ?? SwarmRules.DefaultSwarmSize;
        if (size < 2 || size > o.MaxSwarmSize)
        {
            throw Invalid(ErrorCodes.SwarmInvalidSwarmSize, $"swarmSize must be from 2 to {o.MaxSwarmSize}.");
        }

        var iterations = r.Iterations ?? Math.Min(SwarmRules.DefaultIterations, o.MaxIterations);
        if (iterations < 1 || iterations > o.MaxIterations)
        {
            throw Invalid(ErrorCodes.SwarmInvalidIterations, $"iterations must be from 1 to {o.MaxIterations}.");
        }

        var cap = function is null ? o.MaxSkillEvaluations : o.MaxEvaluations;
        if ((long)size * (iterations + 1L) > cap)
        {
            throw Invalid(ErrorCodes.SwarmTooManyEvaluations,
                $"swarmSize × (iterations + 1) must not exceed {cap} evaluations{(function is null ? " for a skill objective" : "")}.");
        }

        var parameters = new SwarmParameters(r.Inertia ?? SwarmRules.DefaultInertia, r.C1 ?? SwarmRules.DefaultAcceleration,
            r.C2 ?? SwarmRules.DefaultAcceleration, r.Informants ?? SwarmRules.DefaultInformants);
        if (!(parameters.Inertia is >= 0 and <= 1) || !(parameters.C1 is >= 0 and <= 4) || !(parameters.C2 is >= 0 and <= 4) ||
            parameters.Informants < 1 || parameters.Informants > size || r.TargetValue is { } t && !double.IsFinite(t))
        {
            throw Invalid(ErrorCodes.SwarmInvalidParameters,
                "inertia must be from 0 to 1, c1 and c2 from 0 to 4, informants from 1 to swarmSize, targetValue a finite number.");
        }

        var seed = r.Seed ?? BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        return new OptimizationSpec(r.Function, r.Skill, r.Skill is null ? null : r.Capability, dimensions, lower, upper,
            size, iterations, seed, parameters, r.TargetValue, r.SubmittedBy);
    }

    private static (double[] Lower, double[] Upper) Bounds(IReadOnlyList<SearchBound>? bounds, BenchmarkFunctions.Definition? function, int dimensions)
    {
        bounds ??= [new SearchBound(function!.Min, function.Max)];
        if (bounds.Count != 1 && bounds.Count != dimensions)
        {
            throw Invalid(ErrorCodes.SwarmInvalidBounds, $"bounds must have one entry (for every dimension) or {dimensions} (one per dimension); it has {bounds.Count}.");
        }

        var lower = new double[dimensions];
        var upper = new double[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            var bound = bounds[bounds.Count == 1 ? 0 : d];
            if (bound is null || !double.IsFinite(bound.Min) || !double.IsFinite(bound.Max) || !(bound.Min < bound.Max) || !double.IsFinite(bound.Max - bound.Min))
            {
                throw Invalid(ErrorCodes.SwarmInvalidBounds, $"bounds[{(bounds.Count == 1 ? 0 : d)}]: min and max must be finite numbers with min < max.");
            }

            (lower[d], upper[d]) = (bound.Min, bound.Max);
        }

        return (lower, upper);
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private static DomainException Invalid(string code, string message) => new(code, message, DomainErrorKind.Invalid);
}
