using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Settings of particle swarm optimisation, section <c>Swarms</c>.</summary>
public sealed class SwarmOptions
{
    public const string Section = "Swarms";

    [Range(2, int.MaxValue)]
    public int MaxDimensions { get; set; } = 100;

    [Range(2, int.MaxValue)]
    public int MaxSwarmSize { get; set; } = 1000;

    [Range(1, int.MaxValue)]
    public int MaxIterations { get; set; } = 100_000;

    /// <summary>Most objective evaluations (swarm size × (iterations + 1)) of a run with a built-in function.</summary>
    [Range(typeof(long), "4", "9223372036854775807")]
    public long MaxEvaluations { get; set; } = 20_000_000;

    /// <summary>Most evaluations of a run whose objective is a skill: each one is a task.</summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long MaxSkillEvaluations { get; set; } = 10_000;

    /// <summary>Particles each batch grain holds; a swarm is cut into ceil(size / this) batches, at most <see cref="MaxBatches"/>.</summary>
    [Range(1, int.MaxValue)]
    public int ParticlesPerBatch { get; set; } = 20;

    [Range(1, int.MaxValue)]
    public int MaxBatches { get; set; } = 16;

    /// <summary>A run stores a checkpoint (every particle, random streams included) after this many iterations.</summary>
    [Range(1, int.MaxValue)]
    public int CheckpointEvery { get; set; } = 50;

    /// <summary>Most points of the convergence history: past it the history keeps every 2nd, 4th, ... iteration.</summary>
    [Range(10, int.MaxValue)]
    public int HistoryPoints { get; set; } = 500;

    /// <summary>Period of the reminder a running optimisation keeps, which resumes it on another activation after a silo restart.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one skill evaluation (a task) may take before the run fails.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan SkillEvaluationTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Times a run may go back to its checkpoint because a batch lost its particles, before it fails.</summary>
    [Range(0, int.MaxValue)]
    public int MaxRollbacks { get; set; } = 20;

    /// <summary>Optimisations the list keeps, newest first.</summary>
    [Range(1, int.MaxValue)]
    public int ListRetention { get; set; } = 1000;
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="ReminderFailures"/> (the watchdog within what
/// Orleans allows) is added in <c>AddSwarms</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class SwarmOptionsValidator : IValidateOptions<SwarmOptions>
{
    internal static IEnumerable<string> ReminderFailures(SwarmOptions o, IOptions<ReminderOptions> reminders)
    {
        // Orleans refuses reminder periods below its minimum: fail at start, not on the first optimisation.
        var minimum = reminders.Value.MinimumReminderPeriod;
        if (o.WatchdogInterval < minimum)
        {
            yield return $"{SwarmOptions.Section}:WatchdogInterval must be at least the Orleans minimum reminder period {minimum} (was {o.WatchdogInterval}).";
        }
    }
}
