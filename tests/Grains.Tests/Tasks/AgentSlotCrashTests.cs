using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>
/// An agent stores its queue only when an entry is added: a crash after a task finished leaves its
/// slot taken in storage, and one after a queued task took the freed slot leaves that task queued
/// in storage. The agent's next activation asks the tasks holding its stored slots and dispatches
/// its stored queue: the finished one gives its slot back, the started one runs to the end, and
/// later tasks still run.
/// </summary>
public sealed class AgentSlotCrashTests : PostgresCrashTest
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:WatchdogInterval"] = "00:00:02",
    };

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSkill<QuickSkill>(SkillRegistry.AnyCapability);

    [Fact]
    public async Task ASlotFreedButNotStored_IsFreedAgainAfterTheAgentsSiloDies()
    {
        var agent = Client.GetGrain<IAgentGrain>("slot-agent");
        await agent.RegisterAsync(new AgentSpec("slot", null, ["work"], 1, new Dictionary<string, string>()));
        var first = await SubmitAsync("first");
        await WaitForSuccessAsync(first);
        // The follow-ups free the slot just after the task is stored as finished.
        await WaitUntilAsync(async () => await agent.GetLoadAsync() is { Running: 0 });

        await KillHostOfAsync(agent);

        // The agent's only slot is still taken in storage; the second task needs it.
        ITaskGrain? second = null;
        await WaitUntilAsync(async () => (second = await SubmitAsync("second")) is not null);
        await WaitForSuccessAsync(second!);
        await WaitUntilAsync(async () => await agent.GetLoadAsync() is { Running: 0, Queued: 0 });
    }

    [Fact]
    public async Task AQueuedTaskThatTookAFreedSlotUnstored_StillFinishesAfterTheAgentsSiloDies()
    {
        var agent = Client.GetGrain<IAgentGrain>("slot-agent");
        await agent.RegisterAsync(new AgentSpec("slot", null, ["work"], 1, new Dictionary<string, string>()));
        var first = await SubmitAsync("first", pauseMs: 2000);
        var second = await SubmitAsync("second", pauseMs: 300);
        Assert.Equal(1, (await agent.GetLoadAsync()).Queued); // the first holds the only slot for 2 s
        await WaitForSuccessAsync(first);
        // The second took the freed slot; the agent did not store that move.
        await WaitUntilAsync(async () => await second.GetAsync() is { State: TaskState.Running or TaskState.Succeeded });

        await KillHostOfAsync(agent);

        await WaitForSuccessAsync(second);
        ITaskGrain? third = null;
        await WaitUntilAsync(async () => (third = await SubmitAsync("third")) is not null);
        await WaitForSuccessAsync(third!);
        await WaitUntilAsync(async () => await agent.GetLoadAsync() is { Running: 0, Queued: 0 });
        Assert.All((await second.GetAsync())!.Attempts, a => Assert.NotEqual(AttemptOutcome.Failed, a.Outcome));
    }

    private async Task<ITaskGrain> SubmitAsync(string key, int pauseMs = 0)
    {
        var task = Client.GetGrain<ITaskGrain>(TaskRules.IdForIdempotencyKey("tester", key));
        await task.SubmitAsync(new TaskSubmission(
            "slot-agent", null, QuickSkill.SkillName, $$"""{"pauseMs":{{pauseMs}}}""", TaskPriority.Default, TimeSpan.FromMinutes(1), null, 3, key, "tester"));
        return task;
    }

    private static Task WaitForSuccessAsync(ITaskGrain task) =>
        WaitUntilAsync(async () => await task.GetAsync() is { State: TaskState.Succeeded }, TimeSpan.FromSeconds(90));

    private sealed class QuickSkill : ISkill
    {
        public const string SkillName = "test.quick";

        public string Name => SkillName;

        public string Description => "Test skill that answers after an optional pause";

        public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

        public IReadOnlyList<string> Validate(JsonElement input) => [];

        public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
        {
            if (context.Input.TryGetProperty("pauseMs", out var pause) && pause.GetInt32() > 0)
            {
                await Task.Delay(pause.GetInt32(), cancellationToken);
            }

            return JsonSerializer.SerializeToElement(new { context.Attempt });
        }
    }
}
