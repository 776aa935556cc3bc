using System.Text.Json;
using OrleansAgents.Errors;
using static OrleansAgents.Tests.Workflows.WorkflowTestKit;

namespace OrleansAgents.Tests.Workflows;

[Collection(WorkflowClusterGroup.Name)]
public sealed class WorkflowRunTests(WorkflowClusterFixture fixture)
{
    private readonly IClusterClient _client = fixture.Client;

    [Fact]
    public async Task ADiamond_FansOutInParallel_JoinsOutputs_AndFillsTheRunOutput()
    {
        await RegisterWorkerAsync(_client);
        var definition = new WorkflowDefinition("Diamond", "fan out and join",
            """{"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]}""",
            [
                Step("fetch", """{"label":"fetch {{ input.topic }}"}"""),
                Step("left", """{"label":"left of {{ steps.fetch.output.label }}","hold":true}""", ["fetch"]),
                Step("right", """{"label":"right of {{ steps.fetch.output.label }}","hold":true}""", ["fetch"]),
                Step("join", """{"label":"join","parts":["{{ steps.left.output.label }}","{{ steps.right.output.label }}"]}""", ["left", "right"]),
            ],
            """{"summary":"{{ steps.join.output.label }}","left":"{{ steps.left.output.label }}"}""");
        var workflow = await ActiveAsync(_client, "diamond", definition);
        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, """{"topic":"orleans"}""", "tester", null));

        // Fan-out: both branches are running at once (each holds until released); join waits for both.
        await Eventually.HoldsAsync(
            () => fixture.Probe.Started.Contains("left of fetch orleans") && fixture.Probe.Started.Contains("right of fetch orleans"),
            "left and right to both start");

        var holding = await _client.GetGrain<IWorkflowRunGrain>(run.RunId).GetAsync();
        Assert.Equal([WorkflowStepStatus.Succeeded, WorkflowStepStatus.Running, WorkflowStepStatus.Running, WorkflowStepStatus.Pending],
            holding!.Steps.Select(s => s.Status));
        fixture.Probe.Gate.Release(2);

        var done = await WaitForFinishAsync(_client, run.RunId);
        Assert.Equal(WorkflowRunStatus.Succeeded, done.Status);
        Assert.All(done.Steps, s => Assert.Equal(WorkflowStepStatus.Succeeded, s.Status));
        var step = done.Steps.ToDictionary(s => s.Id);
        Assert.Equal("left of fetch orleans", JsonDocument.Parse(step["left"].OutputJson!).RootElement.GetProperty("label").GetString());
        var joinTask = await _client.GetGrain<ITaskGrain>(step["join"].TaskId!).GetAsync();
        Assert.Equal(["left of fetch orleans", "right of fetch orleans"], JsonDocument.Parse(joinTask!.InputJson).RootElement
            .GetProperty("parts").EnumerateArray().Select(p => p.GetString()));

        using var output = JsonDocument.Parse(done.OutputJson!);
        Assert.Equal("join", output.RootElement.GetProperty("summary").GetString());
        Assert.Equal("left of fetch orleans", output.RootElement.GetProperty("left").GetString());
        Assert.Equal(WorkflowRunStatus.Succeeded, (await _client.GetGrain<IWorkflowRunGrain>(run.RunId).GetAsync())!.Status);
    }

    [Fact]
    public async Task AFalseCondition_SkipsTheStep_AndItsDependentsStillRun()
    {
        await RegisterWorkerAsync(_client);
        var definition = Definition("Conditions",
            Step("check", """{"label":"check"}"""),
            Step("urgent_only", """{"label":"urgent"}""", ["check"], condition: "input.urgent == true"),
            Step("always", """{"label":"always","urgent":"{{ steps.urgent_only.output.label? }}"}""", ["urgent_only"]));
        var workflow = await ActiveAsync(_client, "conditions", definition);

        var calm = await WaitForFinishAsync(_client, (await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, """{"urgent":false}""", "tester", null))).RunId);
        Assert.Equal(WorkflowRunStatus.Succeeded, calm.Status);
        Assert.Equal(WorkflowStepStatus.Skipped, calm.Steps[1].Status);
        Assert.Null(calm.Steps[1].TaskId);
        Assert.Equal(WorkflowStepStatus.Succeeded, calm.Steps[2].Status);

        var urgent = await WaitForFinishAsync(_client, (await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, """{"urgent":true}""", "tester", null))).RunId);
        Assert.All(urgent.Steps, s => Assert.Equal(WorkflowStepStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task AnApprovalGate_WaitsForApprove_AndRejectFailsTheRun()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "approvals", Definition("Approvals",
            Step("draft", """{"label":"draft"}"""),
            Step("publish", """{"label":"publish"}""", ["draft"], approval: true)));

        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));
        var waiting = await WaitForAsync(_client, run.RunId, v => v.Status == WorkflowRunStatus.Waiting);
        Assert.Equal(WorkflowStepStatus.Waiting, waiting.Steps[1].Status);
        Assert.Null(waiting.Steps[1].TaskId);

        var grain = _client.GetGrain<IWorkflowRunGrain>(run.RunId);
        var notWaiting = await Assert.ThrowsAsync<DomainException>(() => grain.DecideAsync("draft", approve: true, "boss", null));
        Assert.Equal((ErrorCodes.WorkflowStepNotWaiting, DomainErrorKind.Conflict), (notWaiting.Code, notWaiting.Kind));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => grain.DecideAsync("nope", approve: true, "boss", null));
        Assert.Equal(ErrorCodes.WorkflowStepNotFound, unknown.Code);

        await grain.DecideAsync("publish", approve: true, "boss", "ship it");
        var done = await WaitForFinishAsync(_client, run.RunId);
        Assert.Equal(WorkflowRunStatus.Succeeded, done.Status);
        Assert.Equal(("boss", "ship it"), (done.Steps[1].DecidedBy, done.Steps[1].Comment));
        var again = await Assert.ThrowsAsync<DomainException>(() => grain.DecideAsync("publish", approve: true, "boss", null));
        Assert.Equal(ErrorCodes.WorkflowStepNotWaiting, again.Code);

        var second = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));
        await WaitForAsync(_client, second.RunId, v => v.Status == WorkflowRunStatus.Waiting);
        await _client.GetGrain<IWorkflowRunGrain>(second.RunId).DecideAsync("publish", approve: false, "boss", "not today");
        var rejected = await WaitForFinishAsync(_client, second.RunId);
        Assert.Equal(WorkflowRunStatus.Failed, rejected.Status);
        Assert.Equal(ErrorCodes.WorkflowStepRejected, rejected.Steps[1].Error!.Code);
        Assert.Equal(ErrorCodes.WorkflowStepRejected, rejected.Error!.Code);
    }

    [Fact]
    public async Task Cancel_StopsOutstandingSteps_AndTheirTasks()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "cancel", Definition("Cancel",
            Step("slow", """{"label":"slow","sleepMs":60000}"""),
            Step("after", """{"label":"after"}""", ["slow"])));
        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));
        var running = await WaitForAsync(_client, run.RunId, v => v.Steps[0].Status == WorkflowStepStatus.Running && v.Steps[0].TaskId is not null);

        var cancelled = await _client.GetGrain<IWorkflowRunGrain>(run.RunId).CancelAsync("tester");
        Assert.Equal(WorkflowRunStatus.Cancelled, cancelled.Status);
        Assert.All(cancelled.Steps, s => Assert.Equal(WorkflowStepStatus.Cancelled, s.Status));
        var task = _client.GetGrain<ITaskGrain>(running.Steps[0].TaskId!);
        await Eventually.HoldsAsync(async () => (await task.GetAsync())!.State == TaskState.Cancelled, "the step's task to be cancelled");

        // Cancelling again is harmless.
        Assert.Equal(WorkflowRunStatus.Cancelled, (await _client.GetGrain<IWorkflowRunGrain>(run.RunId).CancelAsync("tester")).Status);
    }

    [Fact]
    public async Task AFailedStep_FailsTheRun_AndCancelsWhatDependsOnIt()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "failing", Definition("Failing",
            Step("boom", """{"fatal":true}""", maxAttempts: 1),
            Step("after", "{}", ["boom"])));
        var done = await WaitForFinishAsync(_client, (await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null))).RunId);
        Assert.Equal(WorkflowRunStatus.Failed, done.Status);
        Assert.Equal("test.fatal", done.Steps[0].Error!.Code);
        Assert.Equal(WorkflowStepStatus.Cancelled, done.Steps[1].Status);
        Assert.Equal("test.fatal", done.Error!.Code);
    }

    [Fact]
    public async Task ARun_KeepsTheVersionItStartedWith()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "pinned", Definition("Pinned v1",
            Step("hold", """{"label":"v1","sleepMs":500}""")));
        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));
        await workflow.UpdateAsync(Definition("Pinned v2", Step("other", """{"label":"v2"}""")), null, "tester");

        var done = await WaitForFinishAsync(_client, run.RunId);
        Assert.Equal((1, "hold"), (done.WorkflowVersion, done.Steps.Single().Id));
        Assert.Contains("v1", done.Steps.Single().OutputJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIdempotencyKey_ReturnsTheSameRun()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "idempotent", Definition("Idempotent", Step("a")));
        var first = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", "order-1"));
        var again = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", "order-1"));
        Assert.Equal(first.RunId, again.RunId);
        var conflict = await Assert.ThrowsAsync<DomainException>(() =>
            workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, """{"other":1}""", "tester", "order-1")));
        Assert.Equal(ErrorCodes.WorkflowRunIdempotencyConflict, conflict.Code);
    }

    [Fact]
    public async Task AStepWithNoAgentYet_WaitsForOne_ThenRuns()
    {
        var workflow = _client.GetGrain<IWorkflowGrain>("late-agent");
        await RegisterWorkerAsync(_client, "wf-late");
        await _client.GetGrain<IAgentGrain>("wf-late").UpdateAsync(new AgentSpec("wf-late", null, ["wf-late-cap"], 1, new Dictionary<string, string>()));
        await workflow.CreateAsync(Definition("Late", Step("a", """{"label":"late"}""", capability: "wf-late-cap")), "tester");
        await workflow.ValidateAsync("tester");
        await _client.GetGrain<IAgentGrain>("wf-late").RetireAsync();

        // The start tries the submission before answering and defers it to the next retry time;
        // the clock stands still, so nothing can run the step before the clock is advanced below.
        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Test, "{}", "tester", null));
        Assert.Equal(WorkflowStepStatus.Pending, run.Steps[0].Status);
        var pending = await _client.GetGrain<IWorkflowRunGrain>(run.RunId).GetAsync();
        Assert.Equal(WorkflowStepStatus.Pending, pending!.Steps[0].Status);

        await _client.GetGrain<IAgentGrain>("wf-late-2").RegisterAsync(new AgentSpec("wf-late-2", null, ["wf-late-cap"], 1, new Dictionary<string, string>()));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1)); // past the step's next submission time (Workflows:SubmitRetryDelay)
        var done = await WaitForFinishAsync(_client, run.RunId);
        Assert.Equal(WorkflowRunStatus.Succeeded, done.Status);
        Assert.Equal("wf-late-2", done.Steps[0].AgentId);
    }

    [Fact]
    public async Task Events_TellEveryStepChange_InOrder()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "events", Definition("Events", Step("a"), Step("b", dependsOn: ["a"])));
        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));
        await WaitForFinishAsync(_client, run.RunId);
        var batch = await _client.GetGrain<IWorkflowRunGrain>(run.RunId).WaitForEventsAsync(0, TimeSpan.Zero);
        Assert.True(batch.Finished);
        Assert.Equal(Enumerable.Range(1, batch.Events.Count).Select(i => (long)i), batch.Events.Select(e => e.Sequence));
        var steps = batch.Events.Where(e => e.Step is not null).Select(e => (e.Step!.Id, e.Step.Status)).ToList();
        Assert.Equal(
        [
            ("a", WorkflowStepStatus.Running), ("a", WorkflowStepStatus.Succeeded),
            ("b", WorkflowStepStatus.Running), ("b", WorkflowStepStatus.Succeeded),
        ], steps);
        Assert.Equal(WorkflowRunStatus.Succeeded, batch.Events[^1].RunStatus);
    }
}
