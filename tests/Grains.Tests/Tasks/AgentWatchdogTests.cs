using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>
/// Tasks keep no reminder of their own: the agent holding them keeps one for all of them and
/// checks the tasks in its slots on each tick. These are the cases that design must close: an
/// entry whose task was never stored, an entry for a task that belongs to another agent,
/// follow-ups that failed after the task was stored as finished (the slot is free, the task held), and the reminder's lifetime.
/// On PostgreSQL grain state and reminders with the real clock (reminders tick by it).
/// </summary>
public sealed class AgentWatchdogTests : PostgresCrashTest
{
    private readonly Harness _harness = new();

    private IClusterClient Api => Client;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:WatchdogInterval"] = "00:00:02",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton(_harness.Probe);
        silo.Services.AddSingleton<ITaskOutcomeSink>(_harness.Sink);
        silo.Services.AddSkill<ProbeSkill>(SkillRegistry.AnyCapability);
    }

    private IReminderTable Reminders => Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();

    [Fact]
    public async Task AnEntryWhoseTaskWasNeverStored_IsGivenBack_AndTheSlotRunsTheNextTask()
    {
        var agent = await RegisterAsync(slots: 1);
        // What a silo dying between the agent's queue write and the task's record leaves behind.
        await Api.GetGrain<IAgentGrain>(agent).EnqueueTaskAsync(TaskRules.NewId(), TaskPriority.Default, "test.probe", recovering: false);

        await WaitIdleAsync(agent);
        var next = await SubmitAsync(agent, new { label = "after-orphan" });
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(next)).State);
        await WaitIdleAsync(agent);
    }

    [Fact]
    public async Task AnEntryForATaskStoredWithAnotherAgent_IsGivenBack_AndTheTaskRunsOnce()
    {
        var owner = await RegisterAsync(slots: 1);
        var stranger = await RegisterAsync(slots: 1);
        var taskId = await SubmitAsync(owner, new { label = "owned", hold = true });
        await Eventually.HoldsAsync(async () => (await Api.GetGrain<ITaskGrain>(taskId).GetAsync())!.State == TaskState.Running, "the task to run at its owner");

        // A resend routed to another agent after a crash leaves the first agent's entry behind.
        await Api.GetGrain<IAgentGrain>(stranger).EnqueueTaskAsync(taskId, TaskPriority.Default, "test.probe", recovering: false);
        await WaitIdleAsync(stranger);

        _harness.Probe.Gate.Release();
        var done = await WaitFinishedAsync(taskId);
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Single(done.Attempts);
        Assert.Equal(owner, done.AgentId);
        Assert.Equal(1, _harness.Probe.Calls[taskId]);
        await WaitIdleAsync(owner);
    }

    [Fact]
    public async Task FailedFollowUps_FreeTheSlot_ButTheAgentHoldsTheTask_UntilItsWatchdogHasThemDone()
    {
        var agent = await RegisterAsync(slots: 1);
        var agentGrain = Api.GetGrain<IAgentGrain>(agent);
        _harness.Sink.Failing = true;
        try
        {
            var first = await SubmitAsync(agent, new { label = "first" });
            Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(first)).State);
            await Eventually.HoldsAsync(() => Task.FromResult(_harness.Sink.Refused.ContainsKey(first)), "the sink to refuse the first outcome");

            // Finished and stored, its follow-ups not done: the slot is free, the task still held.
            await Eventually.HoldsAsync(async () => await agentGrain.GetLoadAsync() is { Running: 0, Finishing: 1 }, "the slot to be given back");
            var second = await SubmitAsync(agent, new { label = "second" });
            Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(second)).State);
            await Eventually.HoldsAsync(async () => await agentGrain.GetLoadAsync() is { Running: 0, Queued: 0, Finishing: 2 }, "both tasks to be held as finishing");
            Assert.NotNull(await Reminders.ReadRow(agentGrain.GetGrainId(), AgentGrain.WatchdogReminder));

            _harness.Sink.Failing = false;
            // No call from here on: the agent's next watchdog tick (2 s) asks both tasks again.
            await Eventually.HoldsAsync(() => Task.FromResult(_harness.Sink.Seen.ContainsKey(first) && _harness.Sink.Seen.ContainsKey(second)),
                "the watchdog to have both tasks' follow-ups done");
        }
        finally
        {
            _harness.Sink.Failing = false;
        }

        await WaitIdleAsync(agent);
    }

    [Fact]
    public async Task AnAgentKeepsOneReminder_WhileItHoldsTasks_AndDropsItOnceIdle()
    {
        var agent = await RegisterAsync(slots: 2);
        var agentGrain = Api.GetGrain<IAgentGrain>(agent);
        var tasks = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tasks.Add(await SubmitAsync(agent, new { label = "held-" + i, hold = true }));
        }

        Assert.NotNull(await Reminders.ReadRow(agentGrain.GetGrainId(), AgentGrain.WatchdogReminder));
        foreach (var taskId in tasks)
        {
            Assert.Null(await Reminders.ReadRow(Api.GetGrain<ITaskGrain>(taskId).GetGrainId(), TaskGrain.WatchdogReminder));
        }

        _harness.Probe.Gate.Release(3);
        foreach (var taskId in tasks)
        {
            Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(taskId)).State);
        }

        await Eventually.HoldsAsync(async () => await Reminders.ReadRow(agentGrain.GetGrainId(), AgentGrain.WatchdogReminder) is null,
            "the idle agent's watchdog to remove itself on its next tick");
        await WaitIdleAsync(agent);
    }

    private async Task<string> RegisterAsync(int slots)
    {
        var id = "wd-" + Guid.NewGuid().ToString("N")[..10];
        await Api.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("worker", null, ["work"], slots, new Dictionary<string, string>()));
        return id;
    }

    private async Task<string> SubmitAsync(string agentId, object input)
    {
        var id = TaskRules.NewId();
        var accepted = await Api.GetGrain<ITaskGrain>(id).SubmitAsync(
            new TaskSubmission(agentId, null, "test.probe", JsonSerializer.Serialize(input), TaskPriority.Default, null, null, null, null, "tester"));
        Assert.False(accepted.Existing);
        return id;
    }

    private async Task<TaskView> WaitFinishedAsync(string taskId) =>
        (await Eventually.HoldsAsync(
            async () => await Api.GetGrain<ITaskGrain>(taskId).GetAsync(),
            view => view is not null && TaskRules.IsFinished(view.State),
            $"task {taskId} to finish", describe: view => $"state {view?.State}"))!;

    private Task WaitIdleAsync(string agentId) => Eventually.HoldsAsync(
        async () => await Api.GetGrain<IAgentGrain>(agentId).GetLoadAsync() is { Running: 0, Queued: 0, Finishing: 0 },
        $"agent {agentId} to hold nothing");

    /// <summary>An outcome sink that refuses while <see cref="Failing"/> is set, as a sink whose grain's silo is down would.</summary>
    public sealed class FlakySink : ITaskOutcomeSink
    {
        private volatile bool _failing;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        public System.Collections.Concurrent.ConcurrentDictionary<string, bool> Refused { get; } = new();

        public System.Collections.Concurrent.ConcurrentDictionary<string, bool> Seen { get; } = new();

        public ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                Refused[outcome.TaskId] = true;
                throw new InvalidOperationException("sink unavailable");
            }

            Seen[outcome.TaskId] = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Harness
    {
        public SkillProbe Probe { get; } = new();

        public FlakySink Sink { get; } = new();
    }
}
