using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansAgents.Tasks;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Sends this silo's running totals of finished tasks (from <see cref="TaskMetrics"/>) to
/// <see cref="ITaskThroughputGrain"/> every <see cref="TaskThroughput.ReportInterval"/>: one one-way
/// call per silo per interval, nothing on the task path itself.
/// </summary>
public sealed partial class TaskThroughputReporter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    TaskMetrics metrics,
    TimeProvider time,
    ILogger<TaskThroughputReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAt = time.GetUtcNow();
        var failedBefore = false;
        using var timer = new PeriodicTimer(TaskThroughput.ReportInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var (finished, succeeded) = metrics.FinishedTotals();
                await grains.GetGrain<ITaskThroughputGrain>(0).ReportAsync(silo.SiloAddress.ToString(), startedAt, finished, succeeded);
                failedBefore = false;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // While the silo starts or the cluster changes; the next tick sends the totals again.
                if (!failedBefore)
                {
                    LogReportFailed(ex);
                }

                failedBefore = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not report task throughput; the next report carries the totals.")]
    private partial void LogReportFailed(Exception ex);
}
