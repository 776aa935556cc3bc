using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Workflows.Definitions;
using OrleansAgents.Grains.Workflows.ReadModel;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Workflows;

/// <summary>Refreshes the running/waiting run gauges from the read model (cluster-wide figures).</summary>
public sealed partial class WorkflowGaugeRefresher(
    IWorkflowReadModel readModel,
    WorkflowMetrics metrics,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowGaugeRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GaugeRefreshInterval);
        do
        {
            try
            {
                var statistics = await readModel.StatisticsAsync(1, stoppingToken);
                metrics.PublishActive(
                    statistics.Runs.Where(r => r.Status == WorkflowRunStatus.Running).Sum(r => r.Count),
                    statistics.Runs.Where(r => r.Status == WorkflowRunStatus.Waiting).Sum(r => r.Count));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the workflow run gauges from the read model.")]
    private partial void LogRefreshFailed(Exception ex);
}
