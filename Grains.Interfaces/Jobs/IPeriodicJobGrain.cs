namespace OrleansAgents.Jobs;

/// <summary>
/// Runs one periodic job (key: job name) on an Orleans reminder, so it keeps its schedule across
/// silo restarts and runs on one silo at a time.
/// </summary>
[Alias("OrleansAgents.IPeriodicJobGrain")]
public interface IPeriodicJobGrain : IGrainWithStringKey
{
    /// <summary>Registers (or re-times) the reminder from configuration; removes it when the job is disabled.</summary>
    [Alias("EnsureScheduled")]
    Task<JobStatus> EnsureScheduledAsync();

    /// <summary>Runs the job now, outside its schedule.</summary>
    [Alias("RunNow")]
    Task<JobStatus> RunNowAsync();

    [Alias("Status")]
    ValueTask<JobStatus> GetStatusAsync();
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.JobStatus")]
public sealed record class JobStatus(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] TimeSpan Interval,
    [property: Id(3)] DateTimeOffset? LastRunAt,
    [property: Id(4)] TimeSpan? LastDuration,
    [property: Id(5)] string? LastOutcome,
    [property: Id(6)] string? LastMessage,
    [property: Id(7)] long Runs);
