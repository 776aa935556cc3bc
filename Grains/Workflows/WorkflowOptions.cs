using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Workflows;

/// <summary>Settings of workflows and their runs, section <c>Workflows</c>.</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflows";

    /// <summary>
    /// Period of the reminder every unfinished run keeps: after its silo dies a run resumes within
    /// about this long (plus failure detection). At least ReminderOptions.MinimumReminderPeriod (1 min by default).
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How soon a step whose task could not be submitted (no free agent, queue full) is tried again.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan SubmitRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a step keeps trying to find an agent before it fails with <c>workflow.no_agent</c>.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan SubmitPatience { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Progress events each run keeps for late watchers.</summary>
    [Range(10, int.MaxValue)]
    public int EventRetention { get; set; } = 500;

    /// <summary>Changes kept in a workflow's history.</summary>
    [Range(10, int.MaxValue)]
    public int HistoryRetention { get; set; } = 200;

    /// <summary>Workflows listed under "most failures" in the statistics.</summary>
    [Range(1, int.MaxValue)]
    public int StatisticsTop { get; set; } = 10;

    /// <summary>How often each silo refreshes the run gauges (running, waiting for approval) from the read model.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan GaugeRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Generated from the data annotations above; registered through AddValidatedOptions, which names the config keys.</summary>
[OptionsValidator]
internal sealed partial class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
}
