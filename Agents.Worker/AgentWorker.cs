using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Worker;

/// <summary>
/// Runs an external agent's tasks in this process: long-polls for leases while it has free slots,
/// runs the handler of each task's skill, renews the lease at a third of its length (or sends the
/// handler's progress, which renews too), then completes or fails the task. A 409 on any call means
/// the lease is gone (cancelled, expired, re-leased): the handler is cancelled and nothing more is
/// reported. Stopping the worker abandons running tasks: their leases expire and they run again.
/// </summary>
public sealed partial class AgentWorker(
    AgentApiClient api,
    IOptions<AgentWorkerOptions> options,
    AgentWorkerHandlers handlers,
    ILogger<AgentWorker> logger) : BackgroundService
{
    private readonly AgentWorkerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(_options.Concurrency);
        var running = new List<Task>();
        var skills = handlers.Skills;
        var backoff = TimeSpan.Zero;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var free = 1;
                while (free < _options.Max && slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }

                IReadOnlyList<LeasedTask>? leased = null;
                TimeSpan? retryAfter = null;
                try
                {
                    var (tasks, response) = await api.LeaseAsync(_options.AgentId, free, _options.WaitSeconds, _options.LeaseSeconds, skills, stoppingToken).ConfigureAwait(false);
                    using (response)
                    {
                        leased = tasks;
                        retryAfter = RetryAfter(response);
                        if (tasks is null)
                        {
                            LogLeaseRefused(_options.AgentId, (int)response.StatusCode);
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    LogLeaseError(_options.AgentId, e.Message);
                }

                // Slots the answer did not fill go back (SemaphoreSlim refuses a release of 0).
                if (free > (leased?.Count ?? 0))
                {
                    slots.Release(free - (leased?.Count ?? 0));
                }

                running.RemoveAll(t => t.IsCompleted);
                foreach (var task in leased ?? [])
                {
                    running.Add(RunAsync(task, slots, stoppingToken));
                }

                if (leased is null)
                {
                    backoff = TimeSpan.FromSeconds(Math.Min(_options.MaxBackoffSeconds, Math.Max(1, backoff.TotalSeconds * 2)));
                    await Task.Delay(retryAfter ?? backoff, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    backoff = TimeSpan.Zero;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: running handlers see the same token.
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
            ? response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - DateTimeOffset.UtcNow)
            : null;

    private async Task RunAsync(LeasedTask task, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var progress = Channel.CreateBounded<WorkerProgress>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
            using var keeper = CancellationTokenSource.CreateLinkedTokenSource(work.Token);
            var kept = KeepLeaseAsync(task, progress.Reader, work, keeper.Token);
            var (result, failure) = await InvokeAsync(task, new ChannelProgress(progress.Writer), work.Token).ConfigureAwait(false);
            await keeper.CancelAsync().ConfigureAwait(false);
            var gone = await kept.ConfigureAwait(false);
            if (gone || stoppingToken.IsCancellationRequested)
            {
                LogAbandoned(task.TaskId, gone ? "lease gone" : "worker stopping");
                return;
            }

            var answer = failure is null
                ? await api.CompleteAsync(task.TaskId, task.LeaseToken, result, CancellationToken.None).ConfigureAwait(false)
                : await api.FailAsync(task.TaskId, task.LeaseToken, failure.Code, failure.Message, failure.Transient, failure.RetryAfter, CancellationToken.None).ConfigureAwait(false);
            if (answer != LeaseAnswer.Ok)
            {
                LogReportRefused(task.TaskId, answer.ToString());
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<(JsonElement Result, WorkerTaskException? Failure)> InvokeAsync(LeasedTask task, IProgress<WorkerProgress> progress, CancellationToken cancellationToken)
    {
        if (!handlers.TryGet(task.Skill, out var handler))
        {
            return (default, new WorkerTaskException("worker.unknown_skill", $"This worker has no handler for '{task.Skill}'."));
        }

        try
        {
            return (await handler(task.ToWorkerTask(), progress, cancellationToken).ConfigureAwait(false), null);
        }
        catch (WorkerTaskException e)
        {
            return (default, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (default, new WorkerTaskException("worker.cancelled", "The handler was cancelled.", transient: true));
        }
#pragma warning disable CA1031 // Any failure of user code is reported to the task, never crashes the worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogHandlerFailed(task.TaskId, e);
            return (default, new WorkerTaskException("worker.exception", e.GetType().Name, transient: true));
        }
    }

    /// <summary>Renews (or sends progress) until stopped; true when the API said the lease is gone, after cancelling the handler.</summary>
    private async Task<bool> KeepLeaseAsync(LeasedTask task, ChannelReader<WorkerProgress> progress, CancellationTokenSource work, CancellationToken stop)
    {
        var every = TimeSpan.FromSeconds(_options.LeaseSeconds / 3);
        var next = DateTimeOffset.UtcNow + every;
        try
        {
            while (true)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stop);
                tick.CancelAfter(Max(TimeSpan.Zero, next - DateTimeOffset.UtcNow));
                LeaseAnswer answer;
                try
                {
                    var report = await progress.ReadAsync(tick.Token).ConfigureAwait(false);
                    answer = await api.ProgressAsync(task.TaskId, task.LeaseToken, report, _options.LeaseSeconds, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    answer = await api.RenewAsync(task.TaskId, task.LeaseToken, _options.LeaseSeconds, stop).ConfigureAwait(false);
                }

                if (answer == LeaseAnswer.Gone)
                {
                    await work.CancelAsync().ConfigureAwait(false);
                    return true;
                }

                // A failed renewal is tried again at the next tick; the lease outlives two of them.
                next = DateTimeOffset.UtcNow + every;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class ChannelProgress(ChannelWriter<WorkerProgress> writer) : IProgress<WorkerProgress>
    {
        public void Report(WorkerProgress value) => writer.TryWrite(value);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease call for agent {AgentId} answered {Status}")]
    private partial void LogLeaseRefused(string agentId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease call for agent {AgentId} failed: {Error}")]
    private partial void LogLeaseError(string agentId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} abandoned: {Reason}")]
    private partial void LogAbandoned(string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report of task {TaskId} not taken: {Answer}")]
    private partial void LogReportRefused(string taskId, string answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler of task {TaskId} failed")]
    private partial void LogHandlerFailed(string taskId, Exception exception);
}
