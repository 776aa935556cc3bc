using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Workflows.Definitions;
using OrleansAgents.Grains.Workflows.ReadModel;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Workflows;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>Workflows: options (section <c>Workflows</c>), metrics, validation against the live cluster, the read model, and task outcomes routed to runs.</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddValidatedOptions<WorkflowOptions, WorkflowOptionsValidator>(WorkflowOptions.Section);
        services.TryAddSingleton<WorkflowMetrics>();
        services.TryAddSingleton<IWorkflowEnvironment, ClusterWorkflowEnvironment>();
        services.AddWorkflowReadModel();
        services.AddTaskOutcomeSink<WorkflowTaskOutcomeSink>();
        services.AddHostedService<WorkflowGaugeRefresher>();
        return services;
    }
}

/// <summary>Tells a run that one of its steps' tasks finished (one-way; the run's reminder catches anything lost).</summary>
public sealed class WorkflowTaskOutcomeSink(IGrainFactory grains) : ITaskOutcomeSink
{
    public ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken)
    {
        if (WorkflowRules.TryParseTaskOrigin(outcome.Origin, out var runId, out var stepId))
        {
            return new ValueTask(grains.GetGrain<IWorkflowRunGrain>(runId).StepTaskFinishedAsync(stepId, outcome.TaskId));
        }

        return ValueTask.CompletedTask;
    }
}

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
