using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Jobs;

namespace OrleansAgents.Grains.Jobs;

/// <summary>
/// A job the cluster runs every <c>Jobs:{Name}:Interval</c> (disable with <c>Jobs:{Name}:Enabled=false</c>).
/// Register with <c>services.AddPeriodicJob&lt;T&gt;(name, defaultInterval)</c>.
/// </summary>
public interface IPeriodicJob
{
    string Name { get; }

    /// <summary>Does one run and returns a one-line summary for the job's status.</summary>
    ValueTask<string> RunAsync(CancellationToken cancellationToken);
}

public sealed record class PeriodicJobRegistration(string Name, TimeSpan DefaultInterval);

public static partial class PeriodicJobServiceCollectionExtensions
{
    public static IServiceCollection AddPeriodicJob<TJob>(this IServiceCollection services, string name, TimeSpan defaultInterval)
        where TJob : class, IPeriodicJob
    {
        services.AddSingleton<IPeriodicJob, TJob>();
        services.AddSingleton(new PeriodicJobRegistration(name, defaultInterval));
        return services;
    }

    /// <summary>Every silo makes sure each registered job has its reminder once it has started (idempotent).</summary>
    internal static ISiloBuilder AddPeriodicJobScheduling(this ISiloBuilder silo) =>
        silo.AddStartupTask(async (services, cancellation) =>
        {
            var grains = services.GetRequiredService<IGrainFactory>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PeriodicJobServiceCollectionExtensions));
            foreach (var job in services.GetServices<PeriodicJobRegistration>())
            {
                // A silo that starts while another dies must not fail its start over this: the job's
                // reminder is normally there already, and every silo start checks it again.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await grains.GetGrain<IPeriodicJobGrain>(job.Name).EnsureScheduledAsync();
                        break;
                    }
                    catch (Exception ex) when (ex is OrleansException or TimeoutException)
                    {
                        if (attempt >= StartupScheduleAttempts)
                        {
                            LogScheduleDeferred(logger, ex, job.Name);
                            break;
                        }

                        await Task.Delay(StartupScheduleRetryDelay, cancellation);
                    }
                }
            }
        });

    private const int StartupScheduleAttempts = 10;
    private static readonly TimeSpan StartupScheduleRetryDelay = TimeSpan.FromSeconds(2);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Periodic job {Job}: could not check its schedule at silo start; the next silo start checks again")]
    private static partial void LogScheduleDeferred(ILogger logger, Exception exception, string job);
}

[GenerateSerializer, Alias("OrleansAgents.PeriodicJobState.v1")]
public sealed class PeriodicJobState
{
    [Id(0)] public DateTimeOffset? LastRunAt { get; set; }
    [Id(1)] public TimeSpan? LastDuration { get; set; }
    [Id(2)] public string? LastOutcome { get; set; }
    [Id(3)] public string? LastMessage { get; set; }
    [Id(4)] public long Runs { get; set; }
}

public sealed partial class PeriodicJobGrain(
    [PersistentState("job", StorageNames.Tasks)] IPersistentState<PeriodicJobState> state,
    IEnumerable<IPeriodicJob> jobs,
    IEnumerable<PeriodicJobRegistration> registrations,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<PeriodicJobGrain> logger) : Grain, IPeriodicJobGrain, IRemindable
{
    private string Name => this.GetPrimaryKeyString();

    private PeriodicJobRegistration Registration => registrations.LastOrDefault(r => r.Name == Name)
        ?? throw new InvalidOperationException($"No periodic job named '{Name}' is registered.");

    private TimeSpan Interval => configuration.GetValue<TimeSpan?>($"Jobs:{Name}:Interval") ?? Registration.DefaultInterval;

    private bool Enabled => configuration.GetValue($"Jobs:{Name}:Enabled", true);

    public async Task<JobStatus> EnsureScheduledAsync()
    {
        var existing = await this.GetReminder(Name);
        if (!Enabled)
        {
            if (existing is not null)
            {
                await this.UnregisterReminder(existing);
            }
        }
        else
        {
            await this.RegisterOrUpdateReminder(Name, Interval, Interval);
        }

        return Status();
    }

    private static readonly TimeSpan MinimumRunTime = TimeSpan.FromMinutes(1);

    public async Task<JobStatus> RunNowAsync()
    {
        await RunAsync();
        return Status();
    }

    public ValueTask<JobStatus> GetStatusAsync() => ValueTask.FromResult(Status());

    public Task ReceiveReminder(string reminderName, TickStatus status) => RunAsync();

    private async Task RunAsync()
    {
        var job = jobs.LastOrDefault(j => j.Name == Name)
            ?? throw new InvalidOperationException($"No periodic job named '{Name}' is registered.");
        var started = time.GetTimestamp();
        // A run may take up to its interval, but never less than a minute: a short test interval on a
        // busy machine must not turn a slow sweep into a failure. Ticks never overlap (one grain).
        using var timeout = new CancellationTokenSource(Interval > MinimumRunTime ? Interval : MinimumRunTime);
        try
        {
            state.State.LastMessage = await job.RunAsync(timeout.Token);
            state.State.LastOutcome = "succeeded";
        }
        catch (Exception ex)
        {
            LogJobFailed(ex, Name);
            state.State.LastMessage = ex.GetType().Name + ": " + ex.Message;
            state.State.LastOutcome = "failed";
        }

        state.State.LastRunAt = time.GetUtcNow();
        state.State.LastDuration = time.GetElapsedTime(started);
        state.State.Runs++;
        await state.SaveOrDeactivateAsync(this);
        LogJobRan(Name, state.State.LastOutcome, state.State.LastMessage);
    }

    private JobStatus Status() => new(Name, Enabled, Interval, state.State.LastRunAt, state.State.LastDuration,
        state.State.LastOutcome, state.State.LastMessage, state.State.Runs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Periodic job {Job} failed")]
    private partial void LogJobFailed(Exception ex, string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Periodic job {Job} {Outcome}: {Message}")]
    private partial void LogJobRan(string job, string? outcome, string? message);
}
