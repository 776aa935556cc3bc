using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansAgents.Grains.Workflows;

/// <summary>
/// Exported through prometheus-net as <c>orleansagents_workflows_*</c>:
/// <c>runs_started{workflow,mode}</c> and <c>runs_finished{workflow,outcome}</c> (counters),
/// <c>run_duration_seconds{workflow,outcome}</c> and <c>step_duration_seconds{skill,outcome}</c>
/// (histograms), <c>checkpoint_seconds</c> (histogram of run state writes),
/// <c>runs_active{status}</c> (running and waiting runs in the read model; every silo reports the
/// cluster-wide figure, so take the max).
/// </summary>
public sealed class WorkflowMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Workflows";

    private readonly Meter _meter;
    private readonly Histogram<double> _runDuration;
    private readonly Histogram<double> _stepDuration;
    private readonly Histogram<double> _checkpoint;
    private readonly ConcurrentDictionary<(string Workflow, string Mode), long> _started = new();
    private readonly ConcurrentDictionary<(string Workflow, string Outcome), long> _finished = new();
    private (long Running, long Waiting)? _active;

    public WorkflowMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _runDuration = _meter.CreateHistogram<double>("run_duration_seconds", "s", "Run duration from start to finish, by workflow and outcome.");
        _stepDuration = _meter.CreateHistogram<double>("step_duration_seconds", "s", "Step duration from its task's submission to its outcome, by skill and outcome.");
        _checkpoint = _meter.CreateHistogram<double>("checkpoint_seconds", "s", "Time to store a run's checkpoint (its state after a step outcome).");
        _meter.CreateObservableCounter("runs_started", () => _started.Select(e => new Measurement<long>(e.Value,
            new KeyValuePair<string, object?>("workflow", e.Key.Workflow), new KeyValuePair<string, object?>("mode", e.Key.Mode))),
            "{run}", "Runs started, by workflow and mode.");
        _meter.CreateObservableCounter("runs_finished", () => _finished.Select(e => new Measurement<long>(e.Value,
            new KeyValuePair<string, object?>("workflow", e.Key.Workflow), new KeyValuePair<string, object?>("outcome", e.Key.Outcome))),
            "{run}", "Runs finished, by workflow and outcome.");
        _meter.CreateObservableGauge("runs_active", ObserveActive, "{run}", "Unfinished runs by status (running, waiting for approval), from the read model.");
    }

    public static string Label(WorkflowRunMode mode) => mode.ToString().ToLowerInvariant();

    public static string Label(WorkflowRunStatus status) => status.ToString().ToLowerInvariant();

    public static string Label(WorkflowStepStatus status) => status.ToString().ToLowerInvariant();

    public void RunStarted(string workflowId, WorkflowRunMode mode) => _started.AddOrUpdate((workflowId, Label(mode)), 1, (_, n) => n + 1);

    public void RunFinished(string workflowId, WorkflowRunStatus outcome, TimeSpan duration)
    {
        _finished.AddOrUpdate((workflowId, Label(outcome)), 1, (_, n) => n + 1);
        _runDuration.Record(Math.Max(0, duration.TotalSeconds),
            new KeyValuePair<string, object?>("workflow", workflowId), new KeyValuePair<string, object?>("outcome", Label(outcome)));
    }

    public void StepFinished(string skill, WorkflowStepStatus outcome, TimeSpan duration) =>
        _stepDuration.Record(Math.Max(0, duration.TotalSeconds),
            new KeyValuePair<string, object?>("skill", skill), new KeyValuePair<string, object?>("outcome", Label(outcome)));

    public void Checkpointed(TimeSpan elapsed) => _checkpoint.Record(elapsed.TotalSeconds);

    public void PublishActive(long running, long waiting) => _active = (running, waiting);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        if (_active is { } active)
        {
            yield return new(active.Running, new KeyValuePair<string, object?>("status", "running"));
            yield return new(active.Waiting, new KeyValuePair<string, object?>("status", "waiting"));
        }
    }
}
