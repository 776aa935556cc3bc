namespace OrleansAgents.Grains.Workflows.ReadModel;

/// <summary>
/// The statistics of <see cref="InMemoryWorkflowReadModel"/>, computed the way the PostgreSQL
/// read model's SQL does (<c>percentile_cont</c> interpolation, the same orderings), so both
/// report the same numbers for the same rows.
/// </summary>
public static class WorkflowStatisticsCalculator
{
    /// <summary>Every workflow status with its count, zeros included, so the shape never depends on the data.</summary>
    public static Dictionary<WorkflowStatus, long> ByStatus(IEnumerable<KeyValuePair<WorkflowStatus, long>> counts)
    {
        var byStatus = Enum.GetValues<WorkflowStatus>().ToDictionary(s => s, _ => 0L);
        foreach (var (status, count) in counts)
        {
            byStatus[status] += count;
        }

        return byStatus;
    }

    /// <summary>Every mode and run status (mode first, enum order) with its count, zeros included.</summary>
    public static List<WorkflowRunCount> RunGrid(IReadOnlyDictionary<(WorkflowRunMode Mode, WorkflowRunStatus Status), long> counts) =>
        Enum.GetValues<WorkflowRunMode>()
            .SelectMany(m => Enum.GetValues<WorkflowRunStatus>().Select(s => new WorkflowRunCount(m, s, counts.GetValueOrDefault((m, s)))))
            .ToList();

    internal static WorkflowStatistics Calculate(
        IEnumerable<WorkflowStatus> workflowStatuses, IReadOnlyCollection<WorkflowRunRow> runs, Func<string, string> nameOf, int top)
    {
        var byStatus = ByStatus(workflowStatuses.Select(s => KeyValuePair.Create(s, 1L)));
        var grid = RunGrid(runs.GroupBy(r => (r.Mode, r.Status)).ToDictionary(g => g.Key, g => g.LongCount()));

        var finished = runs.Where(r => WorkflowRules.IsFinished(r.Status)).ToList();
        double? successRate = finished.Count == 0 ? null : (double)finished.Count(r => r.Status == WorkflowRunStatus.Succeeded) / finished.Count;
        var durations = finished.Where(r => r.FinishedAt is not null)
            .Select(r => (r.FinishedAt!.Value - r.StartedAt).TotalSeconds)
            .Order()
            .ToList();

        var mostFailures = top <= 0
            ? []
            : runs.GroupBy(r => r.WorkflowId, StringComparer.Ordinal)
                .Select(g => new WorkflowFailureCount(g.Key, nameOf(g.Key), g.LongCount(r => r.Status == WorkflowRunStatus.Failed), g.LongCount()))
                .Where(f => f.FailedRuns > 0)
                .OrderByDescending(f => f.FailedRuns).ThenBy(f => f.WorkflowId, StringComparer.Ordinal)
                .Take(top)
                .ToList();

        return new WorkflowStatistics(byStatus, grid, successRate, Percentile(durations, 0.5), Percentile(durations, 0.95), mostFailures);
    }

    /// <summary>PostgreSQL's <c>percentile_cont</c>: linear interpolation between the two nearest ranks.</summary>
    private static double? Percentile(List<double> sorted, double fraction)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var position = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}
