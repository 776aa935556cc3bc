using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Tests.Tasks;

namespace OrleansAgents.Tests.Skills;

/// <summary>The skills as tasks run them: through the task grain, its retries and the breakers, against the loopback fakes.</summary>
public sealed class SkillTasksTests(SkillsClusterFixture fixture) : IClassFixture<SkillsClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    private async Task<string> RegisterAsync(params string[] capabilities)
    {
        var id = "skill-agent-" + Guid.NewGuid().ToString("N")[..8];
        await _client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("skills", null, capabilities, 4, new Dictionary<string, string>()));
        return id;
    }

    private async Task<TaskView> RunAsync(string agent, string skill, object input, int maxAttempts = 1, string user = "skills-user")
    {
        var task = _client.GetGrain<ITaskGrain>(TaskRules.NewId());
        await task.SubmitAsync(new TaskSubmission(agent, null, skill, JsonSerializer.Serialize(input), TaskPriority.Default,
            TimeSpan.FromSeconds(10), null, maxAttempts, null, user));
        TaskView? view = null;
        await SkillsClusterFixture.WaitForAsync(() =>
        {
            view = task.GetAsync().AsTask().GetAwaiter().GetResult();
            return view is not null && TaskRules.IsFinished(view.State);
        }, "the task to finish");
        return view!;
    }

    [Fact]
    public async Task HttpTasks_OpenTheHostBreaker_AndTheNextTaskFailsFast_WithoutReachingTheHost()
    {
        var agent = await RegisterAsync("http");
        var url = new Uri(fixture.Flaky.BaseUri, "api/status/502").ToString();
        var breaker = "http:" + fixture.Flaky.HostLabel;
        for (var i = 0; i < 4; i++)
        {
            var failed = await RunAsync(agent, "http.request", new { method = "GET", url });
            Assert.Equal(TaskState.DeadLettered, failed.State); // 502 is transient; one attempt allowed
            Assert.Equal("http.status_502", failed.Error!.Code);
        }

        foreach (var silo in fixture.Cluster.Silos)
        {
            var views = fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<ClusterCircuitBreakers>();
            await SkillsClusterFixture.WaitForAsync(() => views.Get(breaker).Snapshot.State == BreakerState.Open, $"{breaker} open on {silo.SiloAddress}");
        }

        var hits = fixture.Flaky.HitsOf("/api/status/502");
        var fast = await RunAsync(agent, "http.request", new { method = "GET", url });

        Assert.Equal("http.circuit_open", fast.Error!.Code);
        Assert.Equal(hits, fixture.Flaky.HitsOf("/api/status/502"));
    }

    [Fact]
    public async Task LlmChatTask_ReturnsTheAnswer_AndChargesTheSubmittersTokens()
    {
        var agent = await RegisterAsync("llm");
        var user = "llm-task-user-" + Guid.NewGuid().ToString("N")[..6];
        var done = await RunAsync(agent, "llm.chat", new { prompt = "Say hi" }, user: user);

        Assert.True(done.State == TaskState.Succeeded, $"{done.State}: {done.Error?.Code} {done.Error?.Message}");
        var result = JsonDocument.Parse(done.ResultJson!).RootElement;
        Assert.Equal("fake", result.GetProperty("provider").GetString());
        Assert.Equal(FakeServer.PromptTokens + FakeServer.CompletionTokens, result.GetProperty("usage").GetProperty("totalTokens").GetInt32());
        var status = await _client.GetGrain<IRateLimitBucketGrain>(user).GetStatusAsync();
        var tokens = status.Windows.Single(w => w.Name == RateLimitWindows.AiTokens);
        Assert.Equal(FakeServer.PromptTokens + FakeServer.CompletionTokens, tokens.Used);
    }

    [Fact]
    public async Task SkillsAreRefused_ForAgentsWithoutTheCapability()
    {
        var agent = await RegisterAsync("search");
        var ex = await Assert.ThrowsAsync<OrleansAgents.Errors.DomainException>(() => _client.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(
            new TaskSubmission(agent, null, "llm.chat", "{\"prompt\":\"hi\"}", TaskPriority.Default, null, null, null, null, "u")));
        Assert.Equal("task.skill_not_allowed", ex.Code);
    }
}
