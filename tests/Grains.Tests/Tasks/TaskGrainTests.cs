using System.Text.Json;
using OrleansAgents.Errors;
using OrleansAgents.Jobs;

namespace OrleansAgents.Tests.Tasks;

public sealed class TaskGrainTests(TaskClusterFixture fixture) : IClassFixture<TaskClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    private static string NewAgentId() => "ta-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> RegisterAsync(int maxConcurrent = 1, params string[] capabilities) =>
        await RegisterAsync(AgentKind.Hosted, maxConcurrent, capabilities);

    private async Task<string> RegisterAsync(AgentKind kind, int maxConcurrent = 1, params string[] capabilities)
    {
        var id = NewAgentId();
        await _client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("worker", null, capabilities.Length == 0 ? ["work"] : capabilities, maxConcurrent, new Dictionary<string, string>(), kind));
        return id;
    }

    private static TaskSubmission ToAgent(string agentId, object input, TaskPriority priority = TaskPriority.Default, int? maxAttempts = null,
        TimeSpan? timeout = null, TimeSpan? hardTimeout = null, string skill = "test.probe") =>
        new(agentId, null, skill, JsonSerializer.Serialize(input), priority, timeout, hardTimeout, maxAttempts, null, "tester");

    private async Task<TaskView> SubmitAsync(TaskSubmission submission)
    {
        var accepted = await _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(submission);
        Assert.False(accepted.Existing);
        return accepted.Task;
    }

    private async Task<TaskView> WaitFinishedAsync(string taskId, TimeSpan? within = null) =>
        (await Eventually.HoldsAsync(
            async () => await _client.GetGrain<ITaskGrain>(taskId).GetAsync(),
            view => view is not null && TaskRules.IsFinished(view.State),
            $"task {taskId} to finish", within, describe: view => $"state {view?.State}"))!;

    [Fact]
    public async Task Echo_Succeeds_WithResultAndOneAttempt()
    {
        var agent = await RegisterAsync();
        var task = await SubmitAsync(ToAgent(agent, new { hello = "world" }, skill: "echo"));
        Assert.Equal(TaskState.Queued, task.State);

        var done = await WaitFinishedAsync(task.Id);
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal("{\"hello\":\"world\"}", done.ResultJson);
        var attempt = Assert.Single(done.Attempts);
        Assert.Equal(AttemptOutcome.Succeeded, attempt.Outcome);
        Assert.NotNull(done.FinishedAt);

        // The slot is freed last, after the finished task's follow-ups.
        await Eventually.HoldsAsync(async () => await _client.GetGrain<IAgentGrain>(agent).GetLoadAsync() is { Running: 0, Queued: 0 },
            "the agent's slot to be freed");
    }

    [Fact]
    public async Task Skills_ReadAndWriteTheRunningAgentsMemory()
    {
        var agent = await RegisterAsync();
        var first = await WaitFinishedAsync((await SubmitAsync(ToAgent(agent, new { remember = "notes/last-task" }))).Id);
        Assert.Equal(TaskState.Succeeded, first.State);
        Assert.Contains("\"previous\":null", first.ResultJson!, StringComparison.Ordinal);

        var entry = await _client.GetGrain<IAgentMemoryGrain>(agent).GetAsync("notes/last-task");
        Assert.NotNull(entry);
        Assert.Contains(first.Id, entry.ValueJson, StringComparison.Ordinal);
        Assert.Equal(["probe"], entry.Tags);

        // The next task of the same agent sees what the first one wrote.
        var second = await WaitFinishedAsync((await SubmitAsync(ToAgent(agent, new { remember = "notes/last-task" }))).Id);
        Assert.Contains(first.Id, second.ResultJson!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_RunsHighestPriorityFirst_AndAtMostMaxConcurrent()
    {
        var agent = await RegisterAsync(maxConcurrent: 1);
        var prefix = Guid.NewGuid().ToString("N")[..6];
        var blocker = await SubmitAsync(ToAgent(agent, new { label = prefix + "-blocker", hold = true }));
        var low = await SubmitAsync(ToAgent(agent, new { label = prefix + "-low" }, TaskPriority.Low));
        var normal = await SubmitAsync(ToAgent(agent, new { label = prefix + "-default" }));
        var high = await SubmitAsync(ToAgent(agent, new { label = prefix + "-high" }, TaskPriority.High));

        var load = await _client.GetGrain<IAgentGrain>(agent).GetLoadAsync();
        Assert.Equal(1, load.Running);
        Assert.Equal(3, load.Queued);

        fixture.Probe.Gate.Release();
        foreach (var t in new[] { blocker, low, normal, high })
        {
            Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(t.Id)).State);
        }

        var order = fixture.Probe.Started.Where(s => s.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal([prefix + "-blocker", prefix + "-high", prefix + "-default", prefix + "-low"], order);
    }

    [Fact]
    public async Task FullQueue_Refuses_With503AndRetryHint_AndStoresNothing()
    {
        var agent = await RegisterAsync(maxConcurrent: 1);
        var held = new List<TaskView> { await SubmitAsync(ToAgent(agent, new { hold = true })) };
        for (var i = 0; i < 3; i++)
        {
            held.Add(await SubmitAsync(ToAgent(agent, new { label = "queued" })));
        }

        var id = TaskRules.NewId();
        var ex = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITaskGrain>(id).SubmitAsync(ToAgent(agent, new { })));
        Assert.Equal(ErrorCodes.TaskQueueFull, ex.Code);
        Assert.Equal(DomainErrorKind.Unavailable, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Null(await _client.GetGrain<ITaskGrain>(id).GetAsync());

        fixture.Probe.Gate.Release();
        foreach (var t in held)
        {
            await WaitFinishedAsync(t.Id);
        }
    }

    [Fact]
    public async Task TransientFailures_AreRetried_UntilSuccess()
    {
        var agent = await RegisterAsync();
        var task = await SubmitAsync(ToAgent(agent, new { transientFailures = 2 }, maxAttempts: 3));
        var done = await WaitFinishedAsync(task.Id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Failed, AttemptOutcome.Succeeded], done.Attempts.Select(a => a.Outcome));
        Assert.Equal("test.transient", done.Attempts[0].Error!.Code);
        Assert.Contains("\"attempt\":3", done.ResultJson!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExhaustedTransientFailures_DeadLetter_AndRequeueRunsAgain()
    {
        var agent = await RegisterAsync();
        var task = await SubmitAsync(ToAgent(agent, new { transientFailures = 2 }, maxAttempts: 2));
        var dead = await WaitFinishedAsync(task.Id);
        Assert.Equal(TaskState.DeadLettered, dead.State);
        Assert.Equal(2, dead.Attempts.Count);
        Assert.Equal("test.transient", dead.Error!.Code);

        // A finish follow-up: the record reads dead-lettered from the moment it is being stored.
        await Eventually.HoldsAsync(
            async () => (await _client.GetGrain<IDeadLetterGrain>(0).ListAsync(200, null)).Items.Any(i => i.Id == task.Id),
            "the task to be listed as a dead letter");

        var requeued = await _client.GetGrain<ITaskGrain>(task.Id).RequeueAsync();
        Assert.Equal(TaskState.Queued, requeued.State);
        var done = await WaitFinishedAsync(task.Id);
        Assert.Equal(TaskState.Succeeded, done.State); // the probe fails only the first 2 calls
        Assert.Equal(3, done.Attempts.Count);
        var letters = await _client.GetGrain<IDeadLetterGrain>(0).ListAsync(200, null);
        Assert.DoesNotContain(letters.Items, i => i.Id == task.Id);
    }

    [Fact]
    public async Task NonTransientFailure_FailsAtOnce_WithoutRetry()
    {
        var agent = await RegisterAsync();
        var task = await SubmitAsync(ToAgent(agent, new { fatal = true }, maxAttempts: 5));
        var done = await WaitFinishedAsync(task.Id);
        Assert.Equal(TaskState.Failed, done.State);
        Assert.Single(done.Attempts);
        Assert.Equal(new TaskError("test.fatal", "fatal failure", false), done.Error);
        await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITaskGrain>(TaskRules.NewId()).RequeueAsync());
    }

    [Fact]
    public async Task SoftTimeout_CancelsTheSkill_AndHardTimeout_AbandonsOneThatIgnoresIt()
    {
        var agent = await RegisterAsync(maxConcurrent: 2);
        var soft = await SubmitAsync(ToAgent(agent, new { sleepMs = 30_000 }, maxAttempts: 1, timeout: TimeSpan.FromMilliseconds(200)));
        var hard = await SubmitAsync(ToAgent(agent, new { sleepMs = 30_000, ignoreCancel = true }, maxAttempts: 1,
            timeout: TimeSpan.FromMilliseconds(200), hardTimeout: TimeSpan.FromMilliseconds(500)));

        var softDone = await WaitFinishedAsync(soft.Id);
        Assert.Equal(TaskState.DeadLettered, softDone.State);
        Assert.Equal(AttemptOutcome.TimedOut, softDone.Attempts[0].Outcome);
        Assert.Equal("task.timeout", softDone.Error!.Code);

        var hardDone = await WaitFinishedAsync(hard.Id);
        Assert.Equal("task.hard_timeout", hardDone.Error!.Code);
        Assert.Equal(AttemptOutcome.TimedOut, hardDone.Attempts[0].Outcome);
    }

    [Fact]
    public async Task Cancel_StopsARunningTask_AndRemovesAQueuedOne()
    {
        var agent = await RegisterAsync(maxConcurrent: 1);
        var running = await SubmitAsync(ToAgent(agent, new { sleepMs = 30_000 }));
        var queued = await SubmitAsync(ToAgent(agent, new { label = "never" }));
        await Eventually.HoldsAsync(async () => (await _client.GetGrain<ITaskGrain>(running.Id).GetAsync())!.State == TaskState.Running, "the task to run");

        var cancelledQueued = await _client.GetGrain<ITaskGrain>(queued.Id).CancelAsync();
        Assert.Equal(TaskState.Cancelled, cancelledQueued.State);
        Assert.Empty(cancelledQueued.Attempts);

        var cancelledRunning = await _client.GetGrain<ITaskGrain>(running.Id).CancelAsync();
        Assert.Equal(TaskState.Cancelled, cancelledRunning.State);
        Assert.Equal(AttemptOutcome.Cancelled, cancelledRunning.Attempts[0].Outcome);

        var load = await _client.GetGrain<IAgentGrain>(agent).GetLoadAsync();
        Assert.Equal((0, 0), (load.Running, load.Queued));

        // Cancelling again is harmless; the log shows both as cancelled.
        Assert.Equal(TaskState.Cancelled, (await _client.GetGrain<ITaskGrain>(running.Id).CancelAsync()).State);
        var log = await _client.GetGrain<IAgentTaskLogGrain>(agent).ListAsync(TaskState.Cancelled, 10, null);
        Assert.Equal(2, log.Items.Count);
    }

    [Fact]
    public async Task Idempotency_RepeatReturnsFirstTask_DifferentRequestConflicts()
    {
        var agent = await RegisterAsync();
        var id = TaskRules.IdForIdempotencyKey("tester", "key-" + Guid.NewGuid());
        var submission = ToAgent(agent, new { label = "once" }, skill: "echo") with { IdempotencyKey = "k" };
        var first = await _client.GetGrain<ITaskGrain>(id).SubmitAsync(submission);
        var again = await _client.GetGrain<ITaskGrain>(id).SubmitAsync(submission);
        Assert.False(first.Existing);
        Assert.True(again.Existing);
        Assert.Equal(first.Task.CreatedAt, again.Task.CreatedAt);

        var ex = await Assert.ThrowsAsync<DomainException>(() =>
            _client.GetGrain<ITaskGrain>(id).SubmitAsync(submission with { InputJson = "{\"label\":\"other\"}" }));
        Assert.Equal(ErrorCodes.TaskIdempotencyConflict, ex.Code);
    }

    [Theory]
    [InlineData("nope.skill", "{}", null, null, ErrorCodes.TaskUnknownSkill)]
    [InlineData("echo", "{\"delayMs\":-1}", null, null, ErrorCodes.TaskInvalidInput)]
    [InlineData("test.probe", "[1]", null, null, ErrorCodes.TaskInvalidInput)]
    [InlineData("echo", "{}", -1.0, null, ErrorCodes.TaskInvalidTimeout)]
    [InlineData("echo", "{}", 999999.0, null, ErrorCodes.TaskInvalidTimeout)]
    [InlineData("echo", "{}", null, 0, ErrorCodes.TaskInvalidMaxAttempts)]
    [InlineData("echo", "{}", null, 21, ErrorCodes.TaskInvalidMaxAttempts)]
    public async Task BadSubmissions_AreRejected_AndNothingIsEnqueued(string skill, string input, double? timeoutSeconds, int? maxAttempts, string code)
    {
        var agent = await RegisterAsync();
        var id = TaskRules.NewId();
        var submission = new TaskSubmission(agent, null, skill, input, TaskPriority.Default,
            timeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null, null, maxAttempts, null, "tester");
        var ex = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITaskGrain>(id).SubmitAsync(submission));
        Assert.Equal(code, ex.Code);
        Assert.Null(await _client.GetGrain<ITaskGrain>(id).GetAsync());
        Assert.Equal(0, (await _client.GetGrain<IAgentGrain>(agent).GetLoadAsync()).Queued);
    }

    [Fact]
    public async Task OversizedInput_UnknownAgent_AndSkillNotAllowed_AreRejected()
    {
        var agent = await RegisterAsync();
        var big = JsonSerializer.Serialize(new { text = new string('x', 2000) });
        var tooLarge = await Assert.ThrowsAsync<DomainException>(() =>
            _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(ToAgent(agent, new { }, skill: "echo") with { InputJson = big }));
        Assert.Equal((ErrorCodes.TaskInputTooLarge, DomainErrorKind.TooLarge), (tooLarge.Code, tooLarge.Kind));

        var unknown = await Assert.ThrowsAsync<DomainException>(() =>
            _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(ToAgent(NewAgentId(), new { }, skill: "echo")));
        Assert.Equal(ErrorCodes.AgentNotFound, unknown.Code);

        var neither = await Assert.ThrowsAsync<DomainException>(() =>
            _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(ToAgent(agent, new { }) with { AgentId = null }));
        Assert.Equal(ErrorCodes.TaskInvalidTarget, neither.Code);
    }

    [Fact]
    public async Task Routing_PicksTheLeastLoadedHealthyAgent_AndRefusesWhenNoneCanTakeIt()
    {
        var capability = "cap-" + Guid.NewGuid().ToString("N")[..8];
        var busy = await RegisterAsync(1, capability);
        var idle = await RegisterAsync(1, capability);
        var hold = await SubmitAsync(ToAgent(busy, new { hold = true }));

        var routed = await _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(
            new TaskSubmission(null, capability, "echo", "{}", TaskPriority.Default, null, null, null, null, "tester"));
        Assert.Equal(idle, routed.Task.AgentId);
        Assert.Equal(capability, routed.Task.Capability);

        var none = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(
            new TaskSubmission(null, "nobody-" + capability, "echo", "{}", TaskPriority.Default, null, null, null, null, "tester")));
        Assert.Equal((ErrorCodes.TaskNoAgentAvailable, DomainErrorKind.Unavailable), (none.Code, none.Kind));
        Assert.NotNull(none.RetryAfter);

        fixture.Probe.Gate.Release();
        await WaitFinishedAsync(hold.Id);
    }

    [Fact]
    public async Task Events_TellTheWholeStory_InOrder()
    {
        var agent = await RegisterAsync();
        var task = await SubmitAsync(ToAgent(agent, new { transientFailures = 1 }, maxAttempts: 2));
        await WaitFinishedAsync(task.Id);
        var batch = await _client.GetGrain<ITaskGrain>(task.Id).WaitForEventsAsync(0, TimeSpan.Zero);

        Assert.True(batch.Finished);
        Assert.Equal(Enumerable.Range(1, batch.Events.Count).Select(i => (long)i), batch.Events.Select(e => e.Sequence));
        Assert.Equal(TaskState.Queued, batch.Events[0].State);
        Assert.Contains(batch.Events, e => e.Type == TaskEventType.Attempt && e.Attempt!.Outcome == AttemptOutcome.Failed);
        Assert.Equal(TaskEventType.Result, batch.Events[^1].Type);
        Assert.NotNull(batch.Events[^1].ResultJson);
    }

    [Fact]
    public async Task HealthSweep_OnItsReminder_MarksStaleAgents_WhichStopReceivingRoutedTasks()
    {
        var capability = "sweep-" + Guid.NewGuid().ToString("N")[..8];
        var agent = await RegisterAsync(AgentKind.External, 1, capability);
        var job = _client.GetGrain<IPeriodicJobGrain>("agents.health-sweep");
        fixture.Clock.Advance(TimeSpan.FromMinutes(2)); // past Agents:HeartbeatTimeout (60 s)
        var advancedTo = fixture.Clock.GetUtcNow();

        // No explicit run: the job's reminder (Jobs:agents.health-sweep:Interval = 1 s here) does it.
        await Eventually.HoldsAsync(async () => (await job.GetStatusAsync()).LastRunAt >= advancedTo, "the job to run after the clock advanced");
        var status = await job.GetStatusAsync();
        Assert.Equal("succeeded", status.LastOutcome);
        Assert.Contains("newly marked unhealthy", status.LastMessage, StringComparison.Ordinal);
        Assert.Equal(AgentStatus.Unhealthy, (await _client.GetGrain<IAgentGrain>(agent).GetAsync())!.Status);
        Assert.False(await _client.GetGrain<IAgentGrain>(agent).MarkUnhealthyIfStaleAsync(advancedTo), "the sweep already marked it");

        var refused = await Assert.ThrowsAsync<DomainException>(() => _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(
            new TaskSubmission(null, capability, "echo", "{}", TaskPriority.Default, null, null, null, null, "tester")));
        Assert.Equal(ErrorCodes.TaskNoAgentAvailable, refused.Code);

        await _client.GetGrain<IAgentGrain>(agent).HeartbeatAsync(new AgentHeartbeat(0));
        var routed = await _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(
            new TaskSubmission(null, capability, "echo", "{}", TaskPriority.Default, null, null, null, null, "tester"));
        Assert.Equal(agent, routed.Task.AgentId);
    }
}
