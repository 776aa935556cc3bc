using OrleansAgents.Grains.Workflows;

namespace OrleansAgents.Tests.Workflows;

/// <summary>The run's step state machine without a cluster: a → b, plus an approval step.</summary>
public sealed class WorkflowRunStepsTests
{
    private const string RunId = "r_0123456789abcdefghjkmnpqrs";

    private readonly ManualTimeProvider _clock = new();
    private readonly List<(WorkflowRunEventType Type, string? Step)> _events = [];
    private readonly List<WorkflowRunStatus> _ended = [];

    [Fact]
    public void PromoteReadySteps_RunsOnlyStepsWhoseDependenciesAreDone()
    {
        var run = Run(Step("a"), Step("b", dependsOn: "a"));

        var ready = Machine(run).PromoteReadySteps();

        Assert.Equal(["a"], ready.Select(s => s.Id));
        Assert.Equal(WorkflowStepStatus.Running, run.Steps[0].Status);
        Assert.NotNull(run.Steps[0].TaskId);
        Assert.Equal(WorkflowStepStatus.Pending, run.Steps[1].Status);
        Assert.Equal([(WorkflowRunEventType.Step, "a")], _events);
    }

    [Fact]
    public void ApplyTaskOutcome_Succeeded_UnblocksTheNextStep_AndTheLastOneEndsTheRun()
    {
        var run = Run(Step("a"), Step("b", dependsOn: "a"));
        var machine = Machine(run);
        machine.PromoteReadySteps();

        Assert.True(machine.ApplyTaskOutcome(run.Steps[0], Finished(run.Steps[0], TaskState.Succeeded, """{"x":1}""")));
        Assert.Equal(["b"], machine.PromoteReadySteps().Select(s => s.Id));
        Assert.True(machine.ApplyTaskOutcome(run.Steps[1], Finished(run.Steps[1], TaskState.Succeeded, "2")));
        machine.UpdateRunStatus();

        Assert.Equal(WorkflowRunStatus.Succeeded, run.Status);
        Assert.Equal("""{"a":{"x":1},"b":2}""", run.OutputJson);
        Assert.Equal([WorkflowRunStatus.Succeeded], _ended);
        Assert.True(run.FollowUpsPending);
    }

    [Fact]
    public void ApplyTaskOutcome_NotFinishedOrAnotherTask_ChangesNothingFinal()
    {
        var run = Run(Step("a"));
        var machine = Machine(run);
        machine.PromoteReadySteps();

        Assert.False(machine.ApplyTaskOutcome(run.Steps[0], Finished(run.Steps[0], TaskState.Running, null)));
        Assert.False(machine.ApplyTaskOutcome(run.Steps[0], Finished(run.Steps[0], TaskState.Succeeded, "1") with { Id = "t_other" }));
        Assert.Equal(WorkflowStepStatus.Running, run.Steps[0].Status);
    }

    [Fact]
    public void UpdateRunStatus_AfterAFailedStep_FailsTheRunAndCancelsTheRest()
    {
        var run = Run(Step("a"), Step("b"), Step("c", dependsOn: "a"));
        var machine = Machine(run);
        machine.PromoteReadySteps();

        machine.ApplyTaskOutcome(run.Steps[0], Finished(run.Steps[0], TaskState.Failed, null) with { Error = new TaskError("skill.error", "boom", false) });
        machine.UpdateRunStatus();

        Assert.Equal(WorkflowRunStatus.Failed, run.Status);
        Assert.Equal("skill.error", run.Error!.Code);
        Assert.Equal(WorkflowStepStatus.Cancelled, run.Steps[1].Status);
        Assert.Equal(WorkflowStepStatus.Cancelled, run.Steps[2].Status);
        Assert.Equal([run.Steps[1].TaskId!], run.TasksToCancel); // b was running: its task is cancelled by the follow-ups
        Assert.Equal([WorkflowRunStatus.Failed], _ended);
    }

    [Fact]
    public void PromoteReadySteps_AnApprovalStep_WaitsAndSoDoesTheRun()
    {
        var run = Run(Step("a", approval: true));
        var machine = Machine(run);

        Assert.Empty(machine.PromoteReadySteps());
        machine.UpdateRunStatus();

        Assert.Equal(WorkflowStepStatus.Waiting, run.Steps[0].Status);
        Assert.Equal(WorkflowRunStatus.Waiting, run.Status);
        Assert.Empty(_ended);
    }

    private WorkflowRunSteps Machine(WorkflowRunRecord run) => new(run, RunId, _clock,
        (type, step) => _events.Add((type, step?.Id)), _ended.Add);

    private static WorkflowStep Step(string id, string? dependsOn = null, bool approval = false) =>
        new(id, "general", null, "echo", "{}", dependsOn is null ? [] : [dependsOn], null, null, null, approval);

    private WorkflowRunRecord Run(params WorkflowStep[] steps) => new()
    {
        Exists = true,
        WorkflowId = "w-1",
        WorkflowVersion = 1,
        Definition = new WorkflowDefinition("w", "test", "{}", steps, null),
        InputJson = "{}",
        StartedBy = "alice",
        StartedAt = _clock.GetUtcNow(),
        Status = WorkflowRunStatus.Running,
        Steps = [.. steps.Select(s => new WorkflowStepRecord { Id = s.Id, Status = WorkflowStepStatus.Pending })],
    };

    private TaskView Finished(WorkflowStepRecord step, TaskState state, string? result) => new(
        step.TaskId!, "agent-1", "general", "echo", "{}", TaskPriority.Default, state, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), 3,
        [], result, null, null, "alice", _clock.GetUtcNow(), _clock.GetUtcNow(), _clock.GetUtcNow(), 1);
}
