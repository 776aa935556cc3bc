using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

/// <summary>Settings of the task system, section <c>Tasks</c>.</summary>
public sealed class TaskOptions
{
    public const string Section = "Tasks";

    /// <summary>Most tasks one agent holds queued (not counting running ones); beyond it submissions get 503.</summary>
    [Range(1, int.MaxValue)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>What a full queue or a capability with no free agent tells the caller to wait (Retry-After).</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan QueueFullRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Soft timeout when the caller gives none: the skill's token is cancelled.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest soft timeout a caller may ask for.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Hard timeout when the caller gives none: soft timeout plus this grace.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan HardTimeoutGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest task input, in UTF-8 bytes of its JSON.</summary>
    [Range(16, int.MaxValue)]
    public int MaxInputBytes { get; set; } = 64 * 1024;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Period of the <c>agent-watchdog</c> reminder an agent keeps while it holds or queues tasks: after a
    /// silo crash its tasks resume within about this long (plus failure detection). At least
    /// ReminderOptions.MinimumReminderPeriod (1 min by default).
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts lost to silo crashes a task survives before it is dead-lettered (a poison task must not crash silos forever).</summary>
    [Range(0, int.MaxValue)]
    public int MaxLostAttempts { get; set; } = 3;

    /// <summary>Finished tasks each agent's task log keeps (active ones are always kept).</summary>
    [Range(1, int.MaxValue)]
    public int LogRetention { get; set; } = 1000;

    /// <summary>Dead letters kept, newest first.</summary>
    [Range(1, int.MaxValue)]
    public int DeadLetterRetention { get; set; } = 10_000;

    /// <summary>Progress events each task keeps for late watchers.</summary>
    [Range(10, int.MaxValue)]
    public int EventRetention { get; set; } = 200;

    /// <summary>Agents of a capability the router examines per decision.</summary>
    [Range(1, int.MaxValue)]
    public int RouteScanBudget { get; set; } = 200;

    /// <summary>How long the router reuses a capability's list of agents before asking the index again.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan RouteCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a silo routes by an agent's load before asking the agent again (<see cref="AgentLoadBoard"/>);
    /// each enqueue's answer refreshes it sooner. Zero asks every candidate on every decision.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan LoadCacheDuration { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// The bounds above, generated from their data annotations; the two rules across settings (timeouts, retry delays)
/// are <see cref="CrossFieldFailures"/>, added in <c>AddTasks</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class TaskOptionsValidator : IValidateOptions<TaskOptions>
{
    internal static IEnumerable<string> CrossFieldFailures(TaskOptions o)
    {
        if (o.DefaultTimeout > o.MaxTimeout)
        {
            yield return $"{TaskOptions.Section}:DefaultTimeout must not exceed MaxTimeout ({o.DefaultTimeout} > {o.MaxTimeout}).";
        }

        if (o.RetryMaxDelay < o.RetryBaseDelay)
        {
            yield return $"{TaskOptions.Section}:RetryMaxDelay must be at least RetryBaseDelay ({o.RetryMaxDelay} < {o.RetryBaseDelay}).";
        }
    }
}
