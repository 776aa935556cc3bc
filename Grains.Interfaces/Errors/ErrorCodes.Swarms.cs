namespace OrleansAgents.Errors;

/// <summary>Error codes of particle swarm optimisation (<c>/api/swarms/optimizations</c>).</summary>
public static partial class ErrorCodes
{
    public const string SwarmInvalidId = "swarm.invalid_id";
    public const string SwarmNotFound = "swarm.not_found";
    /// <summary>An Idempotency-Key already used by this caller for a different optimisation.</summary>
    public const string SwarmIdempotencyConflict = "swarm.idempotency_conflict";
    public const string SwarmUnknownFunction = "swarm.unknown_function";
    public const string SwarmInvalidObjective = "swarm.invalid_objective";
    public const string SwarmUnknownSkill = "swarm.unknown_skill";
    public const string SwarmInvalidDimensions = "swarm.invalid_dimensions";
    public const string SwarmInvalidBounds = "swarm.invalid_bounds";
    public const string SwarmInvalidSwarmSize = "swarm.invalid_swarm_size";
    public const string SwarmInvalidIterations = "swarm.invalid_iterations";
    public const string SwarmInvalidParameters = "swarm.invalid_parameters";
    public const string SwarmTooManyEvaluations = "swarm.too_many_evaluations";
    public const string SwarmEvaluationFailed = "swarm.evaluation_failed";
    public const string SwarmInterrupted = "swarm.interrupted";
}
