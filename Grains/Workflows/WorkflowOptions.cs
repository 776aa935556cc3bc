using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Workflows;

/// <summary>Settings of workflows and their runs, section <c>Workflows</c>.</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflows";

    /// <summary>
    /// Period of the reminder every unfinished run keeps: after its silo dies a run resumes within
    /// about this long (plus failure detection). At least ReminderOptions.MinimumReminderPeriod (1 min by default).
    /// </summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How soon a step whose task could not be submitted (no free agent, queue full) is tried again.</summary>
    public TimeSpan SubmitRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a step keeps trying to find an agent before it fails with <c>workflow.no_agent</c>.</summary>
    public TimeSpan SubmitPatience { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Progress events each run keeps for late watchers.</summary>
    public int EventRetention { get; set; } = 500;

    /// <summary>Changes kept in a workflow's history.</summary>
    public int HistoryRetention { get; set; } = 200;

    /// <summary>Workflows listed under "most failures" in the statistics.</summary>
    public int StatisticsTop { get; set; } = 10;

    /// <summary>How often each silo refreshes the run gauges (running, waiting for approval) from the read model.</summary>
    public TimeSpan GaugeRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}

internal sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions o)
    {
        var errors = new List<string>();
        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{WorkflowOptions.Section}:{key} must be positive (was {value}).");
            }
        }

        void AtLeast(int value, int min, string key)
        {
            if (value < min)
            {
                errors.Add($"{WorkflowOptions.Section}:{key} must be at least {min} (was {value}).");
            }
        }

        Positive(o.ResumeInterval, nameof(o.ResumeInterval));
        Positive(o.SubmitRetryDelay, nameof(o.SubmitRetryDelay));
        Positive(o.SubmitPatience, nameof(o.SubmitPatience));
        Positive(o.GaugeRefreshInterval, nameof(o.GaugeRefreshInterval));
        AtLeast(o.EventRetention, 10, nameof(o.EventRetention));
        AtLeast(o.HistoryRetention, 10, nameof(o.HistoryRetention));
        AtLeast(o.StatisticsTop, 1, nameof(o.StatisticsTop));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
