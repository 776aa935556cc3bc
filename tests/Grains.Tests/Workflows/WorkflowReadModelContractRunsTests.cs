using OrleansAgents.Errors;

namespace OrleansAgents.Tests.Workflows;

/// <summary>Runs, unfinished counts and statistics: the second half of the read model contract.</summary>
public abstract partial class WorkflowReadModelContractTests
{
    [Fact]
    public async Task UpsertRun_KeepsTheHighestSequence()
    {
        await Model.UpsertRunAsync(Run("r-1", "wf-1", WorkflowRunStatus.Running, T0, seq: 1));
        await Model.UpsertRunAsync(Run("r-1", "wf-1", WorkflowRunStatus.Failed, T0, seconds: 30, seq: 3, errorCode: "step.failed"));
        await Model.UpsertRunAsync(Run("r-1", "wf-1", WorkflowRunStatus.Waiting, T0, seq: 2));

        var run = Assert.Single((await Model.ListRunsAsync("wf-1", null, 10, null)).Items);

        Assert.Equal(("r-1", "wf-1", 1, WorkflowRunMode.Production, WorkflowRunStatus.Failed, "bob", T0, (DateTimeOffset?)T0.AddSeconds(30), "step.failed"),
            (run.RunId, run.WorkflowId, run.WorkflowVersion, run.Mode, run.Status, run.StartedBy, run.StartedAt, run.FinishedAt, run.ErrorCode));
        Assert.Equal(0, await Model.CountUnfinishedRunsAsync("wf-1"));
    }

    [Fact]
    public async Task ListRuns_NewestStartedFirst_FiltersByStatus_AndPagesWithoutRepeatsOrGaps()
    {
        await Model.UpsertRunAsync(Run("r-b", "wf-1", WorkflowRunStatus.Succeeded, T0, seconds: 5));
        await Model.UpsertRunAsync(Run("r-a", "wf-1", WorkflowRunStatus.Failed, T0, seconds: 5));
        await Model.UpsertRunAsync(Run("r-new", "wf-1", WorkflowRunStatus.Running, T0.AddMinutes(1)));
        await Model.UpsertRunAsync(Run("r-old", "wf-1", WorkflowRunStatus.Succeeded, T0.AddMinutes(-1), seconds: 5));
        await Model.UpsertRunAsync(Run("r-c", "wf-1", WorkflowRunStatus.Succeeded, T0, seconds: 5));
        await Model.UpsertRunAsync(Run("r-other", "wf-2", WorkflowRunStatus.Succeeded, T0, seconds: 5));

        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Model.ListRunsAsync("wf-1", null, 2, cursor);
            ids.AddRange(page.Items.Select(r => r.RunId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(["r-new", "r-a", "r-b", "r-c", "r-old"], ids);
        Assert.Equal(3, pages);
        var succeeded = await Model.ListRunsAsync("wf-1", WorkflowRunStatus.Succeeded, 2, null);
        Assert.Equal(["r-b", "r-c"], succeeded.Items.Select(r => r.RunId));
        Assert.Equal(["r-old"], (await Model.ListRunsAsync("wf-1", WorkflowRunStatus.Succeeded, 2, succeeded.NextCursor)).Items.Select(r => r.RunId));
        Assert.Empty((await Model.ListRunsAsync("wf-1", WorkflowRunStatus.Cancelled, 2, null)).Items);
        Assert.Empty((await Model.ListRunsAsync("wf-none", null, 2, null)).Items);
    }

    [Theory]
    [InlineData("%%%")]
    [InlineData("dTo1OndmLTE")] // base64url of "u:5:wf-1", a workflow listing's cursor
    public async Task ListRuns_MalformedCursor_IsAnInvalidQuery(string cursor)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Model.ListRunsAsync("wf-1", null, 10, cursor));

        Assert.Equal((ErrorCodes.InvalidQuery, DomainErrorKind.Invalid), (ex.Code, ex.Kind));
    }

    [Fact]
    public async Task CountUnfinishedRuns_CountsRunningAndWaitingOfThatWorkflowOnly()
    {
        await Model.UpsertRunAsync(Run("r-1", "wf-1", WorkflowRunStatus.Running, T0));
        await Model.UpsertRunAsync(Run("r-2", "wf-1", WorkflowRunStatus.Waiting, T0));
        await Model.UpsertRunAsync(Run("r-3", "wf-1", WorkflowRunStatus.Succeeded, T0, seconds: 1));
        await Model.UpsertRunAsync(Run("r-4", "wf-1", WorkflowRunStatus.Cancelled, T0, seconds: 1));
        await Model.UpsertRunAsync(Run("r-5", "wf-2", WorkflowRunStatus.Running, T0));

        Assert.Equal(2, await Model.CountUnfinishedRunsAsync("wf-1"));
        Assert.Equal(1, await Model.CountUnfinishedRunsAsync("wf-2"));
        Assert.Equal(0, await Model.CountUnfinishedRunsAsync("wf-3"));
    }

    [Fact]
    public async Task Statistics_OfAnEmptyModel_AreZerosAndNulls()
    {
        var stats = await Model.StatisticsAsync(5);

        Assert.All(Enum.GetValues<WorkflowStatus>(), s => Assert.Equal(0, stats.WorkflowsByStatus[s]));
        Assert.Equal(15, stats.Runs.Count);
        Assert.All(stats.Runs, r => Assert.Equal(0, r.Count));
        Assert.Null(stats.SuccessRate);
        Assert.Null(stats.RunDurationP50Seconds);
        Assert.Null(stats.RunDurationP95Seconds);
        Assert.Empty(stats.MostFailures);
    }

    [Fact]
    public async Task Statistics_AreExactForAKnownDataSet()
    {
        await UpsertAsync(
            Workflow("wf-a", "Alpha", status: WorkflowStatus.Active),
            Workflow("wf-b", "Beta", status: WorkflowStatus.Staged),
            Workflow("wf-c", "Gamma", status: WorkflowStatus.Active),
            Workflow("wf-d", "Deleted"));
        await Model.DeleteWorkflowAsync("wf-d");
        var runs = new[]
        {
            Run("r-01", "wf-a", WorkflowRunStatus.Succeeded, T0, seconds: 10),
            Run("r-02", "wf-a", WorkflowRunStatus.Succeeded, T0, seconds: 20),
            Run("r-03", "wf-a", WorkflowRunStatus.Failed, T0, seconds: 30),
            Run("r-04", "wf-a", WorkflowRunStatus.Failed, T0, seconds: 40, mode: WorkflowRunMode.Test),
            Run("r-05", "wf-b", WorkflowRunStatus.Failed, T0, seconds: 50, mode: WorkflowRunMode.Staging),
            Run("r-06", "wf-b", WorkflowRunStatus.Cancelled, T0, seconds: 60, mode: WorkflowRunMode.Staging),
            Run("r-07", "wf-b", WorkflowRunStatus.Succeeded, T0, seconds: 70, mode: WorkflowRunMode.Test),
            Run("r-08", "wf-d", WorkflowRunStatus.Failed, T0, seconds: 80),
            Run("r-09", "wf-d", WorkflowRunStatus.Failed, T0, seconds: 90),
            Run("r-10", "wf-c", WorkflowRunStatus.Running, T0, mode: WorkflowRunMode.Test),
            Run("r-11", "wf-c", WorkflowRunStatus.Waiting, T0),
        };
        foreach (var run in runs)
        {
            await Model.UpsertRunAsync(run);
        }

        var stats = await Model.StatisticsAsync(2);

        Assert.Equal(2, stats.WorkflowsByStatus[WorkflowStatus.Active]);
        Assert.Equal(1, stats.WorkflowsByStatus[WorkflowStatus.Staged]);
        Assert.Equal(0, stats.WorkflowsByStatus[WorkflowStatus.Created]);
        Assert.Equal(3, stats.WorkflowsByStatus.Values.Sum());
        long Count(WorkflowRunMode mode, WorkflowRunStatus status) => Assert.Single(stats.Runs, r => r.Mode == mode && r.Status == status).Count;
        Assert.Equal(2, Count(WorkflowRunMode.Production, WorkflowRunStatus.Succeeded));
        Assert.Equal(3, Count(WorkflowRunMode.Production, WorkflowRunStatus.Failed));
        Assert.Equal(1, Count(WorkflowRunMode.Production, WorkflowRunStatus.Waiting));
        Assert.Equal(1, Count(WorkflowRunMode.Test, WorkflowRunStatus.Failed));
        Assert.Equal(1, Count(WorkflowRunMode.Test, WorkflowRunStatus.Succeeded));
        Assert.Equal(1, Count(WorkflowRunMode.Test, WorkflowRunStatus.Running));
        Assert.Equal(1, Count(WorkflowRunMode.Staging, WorkflowRunStatus.Failed));
        Assert.Equal(1, Count(WorkflowRunMode.Staging, WorkflowRunStatus.Cancelled));
        Assert.Equal(11, stats.Runs.Sum(r => r.Count));
        Assert.Equal((WorkflowRunMode.Test, WorkflowRunStatus.Running), (stats.Runs[0].Mode, stats.Runs[0].Status));

        // 3 succeeded of 9 finished; durations 10..90 s: p50 = 50, p95 = 80 + 0.6 * 10.
        Assert.Equal(3.0 / 9.0, stats.SuccessRate!.Value, 9);
        Assert.Equal(50.0, stats.RunDurationP50Seconds!.Value, 9);
        Assert.Equal(86.0, stats.RunDurationP95Seconds!.Value, 9);

        // Two failures each for wf-a and the deleted wf-d (ties by id), then wf-b, cut to the top 2.
        Assert.Equal(
            [new("wf-a", "Alpha", 2, 4), new("wf-d", "", 2, 2)],
            stats.MostFailures.ToArray<WorkflowFailureCount>());
        Assert.Equal(["wf-a", "wf-d", "wf-b"], (await Model.StatisticsAsync(10)).MostFailures.Select(f => f.WorkflowId));
    }
}
