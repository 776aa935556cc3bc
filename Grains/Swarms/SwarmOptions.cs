using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Settings of particle swarm optimisation, section <c>Swarms</c>.</summary>
public sealed class SwarmOptions
{
    public const string Section = "Swarms";

    public int MaxDimensions { get; set; } = 100;

    public int MaxSwarmSize { get; set; } = 1000;

    public int MaxIterations { get; set; } = 100_000;

    /// <summary>Most objective evaluations (swarm size × (iterations + 1)) of a run with a built-in function.</summary>
    public long MaxEvaluations { get; set; } = 20_000_000;

    /// <summary>Most evaluations of a run whose objective is a skill: each one is a task.</summary>
    public long MaxSkillEvaluations { get; set; } = 10_000;

    /// <summary>Particles each batch grain holds; a swarm is cut into ceil(size / this) batches, at most <see cref="MaxBatches"/>.</summary>
    public int ParticlesPerBatch { get; set; } = 20;

    public int MaxBatches { get; set; } = 16;

    /// <summary>A run stores a checkpoint (every particle, random streams included) after this many iterations.</summary>
    public int CheckpointEvery { get; set; } = 50;

    /// <summary>Most points of the convergence history: past it the history keeps every 2nd, 4th, ... iteration.</summary>
    public int HistoryPoints { get; set; } = 500;

    /// <summary>Period of the reminder a running optimisation keeps, which resumes it on another activation after a silo restart.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one skill evaluation (a task) may take before the run fails.</summary>
    public TimeSpan SkillEvaluationTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Times a run may go back to its checkpoint because a batch lost its particles, before it fails.</summary>
    public int MaxRollbacks { get; set; } = 20;

    /// <summary>Optimisations the list keeps, newest first.</summary>
    public int ListRetention { get; set; } = 1000;
}

internal sealed class SwarmOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<SwarmOptions>
{
    public ValidateOptionsResult Validate(string? name, SwarmOptions o)
    {
        var errors = new List<string>();
        void AtLeast(long value, long min, string key)
        {
            if (value < min)
            {
                errors.Add($"{SwarmOptions.Section}:{key} must be at least {min} (was {value}).");
            }
        }

        AtLeast(o.MaxDimensions, 2, nameof(o.MaxDimensions));
        AtLeast(o.MaxSwarmSize, 2, nameof(o.MaxSwarmSize));
        AtLeast(o.MaxIterations, 1, nameof(o.MaxIterations));
        AtLeast(o.MaxEvaluations, 4, nameof(o.MaxEvaluations));
        AtLeast(o.MaxSkillEvaluations, 0, nameof(o.MaxSkillEvaluations));
        AtLeast(o.ParticlesPerBatch, 1, nameof(o.ParticlesPerBatch));
        AtLeast(o.MaxBatches, 1, nameof(o.MaxBatches));
        AtLeast(o.CheckpointEvery, 1, nameof(o.CheckpointEvery));
        AtLeast(o.HistoryPoints, 10, nameof(o.HistoryPoints));
        AtLeast(o.MaxRollbacks, 0, nameof(o.MaxRollbacks));
        AtLeast(o.ListRetention, 1, nameof(o.ListRetention));
        // Orleans refuses reminder periods below its minimum: fail at start, not on the first optimisation.
        var minimum = reminders.Value.MinimumReminderPeriod;
        if (o.WatchdogInterval < minimum || o.WatchdogInterval <= TimeSpan.Zero)
        {
            errors.Add($"{SwarmOptions.Section}:WatchdogInterval must be positive and at least the Orleans minimum reminder period {minimum} (was {o.WatchdogInterval}).");
        }

        if (o.SkillEvaluationTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SwarmOptions.Section}:SkillEvaluationTimeout must be positive (was {o.SkillEvaluationTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
