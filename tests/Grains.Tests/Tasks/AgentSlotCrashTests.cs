using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>
/// An agent does not store a freed slot on its own (one write per task less): a crash right after
/// a task finished leaves the slot taken in storage. The agent's next activation asks the tasks
/// holding its stored slots, and the finished one gives its slot back, so later tasks still run.
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

    private async Task<ITaskGrain> SubmitAsync(string key)
    {
        var task = Client.GetGrain<ITaskGrain>(TaskRules.IdForIdempotencyKey("tester", key));
        await task.SubmitAsync(new TaskSubmission(
            "slot-agent", null, QuickSkill.SkillName, "{}", TaskPriority.Default, TimeSpan.FromMinutes(1), null, 3, key, "tester"));
        return task;
    }

    private static Task WaitForSuccessAsync(ITaskGrain task) =>
        WaitUntilAsync(async () => await task.GetAsync() is { State: TaskState.Succeeded }, TimeSpan.FromSeconds(90));

    private sealed class QuickSkill : ISkill
    {
        public const string SkillName = "test.quick";

        public string Name => SkillName;

        public string Description => "Test skill that answers at once";

        public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

        public IReadOnlyList<string> Validate(JsonElement input) => [];

        public ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(JsonSerializer.SerializeToElement(new { context.Attempt }));
    }
}
