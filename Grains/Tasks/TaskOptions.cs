using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Tasks;

/// <summary>Settings of the task system, section <c>Tasks</c>.</summary>
public sealed class TaskOptions
{
    public const string Section = "Tasks";

    /// <summary>Most tasks one agent holds queued (not counting running ones); beyond it submissions get 503.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>What a full queue or a capability with no free agent tells the caller to wait (Retry-After).</summary>
    public TimeSpan QueueFullRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Soft timeout when the caller gives none: the skill's token is cancelled.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest soft timeout a caller may ask for.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Hard timeout when the caller gives none: soft timeout plus this grace.</summary>
    public TimeSpan HardTimeoutGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest task input, in UTF-8 bytes of its JSON.</summary>
    public int MaxInputBytes { get; set; } = 64 * 1024;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Period of the reminder every unfinished task keeps: after a silo crash a task resumes
    /// within about this long (plus failure detection). At least ReminderOptions.MinimumReminderPeriod (1 min by default).
    /// </summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts lost to silo crashes a task survives before it is dead-lettered (a poison task must not crash silos forever).</summary>
    public int MaxLostAttempts { get; set; } = 3;

    /// <summary>Finished tasks each agent's task log keeps (active ones are always kept).</summary>
    public int LogRetention { get; set; } = 1000;

    /// <summary>Dead letters kept, newest first.</summary>
    public int DeadLetterRetention { get; set; } = 10_000;

    /// <summary>Progress events each task keeps for late watchers.</summary>
    public int EventRetention { get; set; } = 200;

    /// <summary>Agents of a capability the router examines per decision.</summary>
    public int RouteScanBudget { get; set; } = 200;

    /// <summary>How long the router reuses a capability's list of agents before asking the index again.</summary>
    public TimeSpan RouteCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
}

internal sealed class TaskOptionsValidator : IValidateOptions<TaskOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskOptions o)
    {
        var errors = new List<string>();
        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{TaskOptions.Section}:{key} must be positive (was {value}).");
            }
        }

        void AtLeast(int value, int min, string key)
        {
            if (value < min)
            {
                errors.Add($"{TaskOptions.Section}:{key} must be at least {min} (was {value}).");
            }
        }

        AtLeast(o.QueueCapacity, 1, nameof(o.QueueCapacity));
        Positive(o.QueueFullRetryAfter, nameof(o.QueueFullRetryAfter));
        Positive(o.DefaultTimeout, nameof(o.DefaultTimeout));
        Positive(o.MaxTimeout, nameof(o.MaxTimeout));
        if (o.DefaultTimeout > o.MaxTimeout)
        {
            errors.Add($"{TaskOptions.Section}:DefaultTimeout must not exceed MaxTimeout ({o.DefaultTimeout} > {o.MaxTimeout}).");
        }

        Positive(o.HardTimeoutGrace, nameof(o.HardTimeoutGrace));
        AtLeast(o.MaxInputBytes, 16, nameof(o.MaxInputBytes));
        Positive(o.RetryBaseDelay, nameof(o.RetryBaseDelay));
        if (o.RetryMaxDelay < o.RetryBaseDelay)
        {
            errors.Add($"{TaskOptions.Section}:RetryMaxDelay must be at least RetryBaseDelay ({o.RetryMaxDelay} < {o.RetryBaseDelay}).");
        }

        Positive(o.WatchdogInterval, nameof(o.WatchdogInterval));
        AtLeast(o.MaxLostAttempts, 0, nameof(o.MaxLostAttempts));
        AtLeast(o.LogRetention, 1, nameof(o.LogRetention));
        AtLeast(o.DeadLetterRetention, 1, nameof(o.DeadLetterRetention));
        AtLeast(o.EventRetention, 10, nameof(o.EventRetention));
        AtLeast(o.RouteScanBudget, 1, nameof(o.RouteScanBudget));
        Positive(o.RouteCacheDuration, nameof(o.RouteCacheDuration));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
