using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.RateLimiting;

namespace OrleansAgents.Tests.Skills;

/// <summary>llm.chat on real silos against a real OpenAI-compatible fake.</summary>
public sealed class LlmChatSkillTests(SkillsClusterFixture fixture) : IClassFixture<SkillsClusterFixture>
{
    private ISkill Skill => fixture.Skill("llm.chat");

    private static string NewUser() => "llm-user-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonElement> RunAsync(object input, string user)
    {
        var context = SkillsClusterFixture.Context(input, user);
        Assert.Empty(Skill.Validate(context.Input));
        return await Skill.ExecuteAsync(context, default);
    }

    private async Task<long> TokensUsedAsync(string user) =>
        (await fixture.Client.GetGrain<IRateLimitBucketGrain>(user).GetStatusAsync()).Windows.Single(w => w.Name == RateLimitWindows.AiTokens).Used;

    [Fact]
    public async Task Chat_ReturnsTheCompletion_AndChargesTheUsageToTheSubmitter()
    {
        var user = NewUser();

        var result = await RunAsync(new { system = "be brief", messages = new[] { new { role = "user", content = "hi" } }, temperature = 0.2, maxTokens = 50 }, user);

        Assert.Equal("fake says: hi (2 messages)", result.GetProperty("content").GetString());
        Assert.Equal("fake", result.GetProperty("provider").GetString());
        Assert.Equal("test-model", result.GetProperty("model").GetString());
        Assert.Equal("stop", result.GetProperty("finishReason").GetString());
        var usage = result.GetProperty("usage");
        Assert.Equal(FakeServer.PromptTokens, usage.GetProperty("inputTokens").GetInt64());
        Assert.Equal(FakeServer.CompletionTokens, usage.GetProperty("outputTokens").GetInt64());
        Assert.Equal(FakeServer.PromptTokens + FakeServer.CompletionTokens, usage.GetProperty("totalTokens").GetInt64());
        Assert.Equal(FakeServer.PromptTokens + FakeServer.CompletionTokens, await TokensUsedAsync(user));
        Assert.DoesNotContain("sk-test-secret", result.GetRawText(), StringComparison.Ordinal);
        Assert.True(fixture.Metrics.LlmRequests("fake", "test-model", "success") >= 1);
        Assert.True(fixture.Metrics.LlmTokenCount("fake", "test-model", "output") >= FakeServer.CompletionTokens);
    }

    [Fact]
    public async Task Prompt_IsOneUserMessage_AndModelCanBeOverridden()
    {
        var result = await RunAsync(new { prompt = "hello", model = "other-model" }, NewUser());

        Assert.Equal("fake says: hello (1 messages)", result.GetProperty("content").GetString());
        Assert.Equal("other-model", result.GetProperty("model").GetString());

        // A model the provider's configuration does not name gets no label of its own (issue 17).
        Assert.True(fixture.Metrics.LlmRequests("fake", "other", "success") >= 1);
        Assert.Equal(0, fixture.Metrics.LlmRequests("fake", "other-model", "success"));
    }

    [Fact]
    public async Task ExhaustedQuota_IsRefusedNonTransiently_WithoutCallingTheProvider()
    {
        var user = NewUser();
        var free = (await fixture.Client.GetGrain<IRateLimitBucketGrain>(user).GetStatusAsync()).Windows.Single(w => w.Name == RateLimitWindows.AiTokens).Limit;
        await fixture.Client.GetGrain<IRateLimitBucketGrain>(user).ChargeAiTokensAsync(free);
        var calls = fixture.Target.HitsOf("/fake/v1/chat/completions");

        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { prompt = "hi" }, user));

        Assert.Equal("llm.token_quota_exceeded", ex.Code);
        Assert.False(ex.Transient);
        Assert.Equal(calls, fixture.Target.HitsOf("/fake/v1/chat/completions"));
    }

    [Theory]
    [InlineData("fail-429", "llm.throttled", true)]
    [InlineData("fail-500", "llm.status_500", true)]
    [InlineData("fail-400", "llm.status_400", false)]
    public async Task ProviderErrors_AreTransientFor429And5xx_NotFor4xx(string model, string code, bool transient)
    {
        var user = NewUser();

        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { prompt = "hi", model }, user));

        Assert.Equal(code, ex.Code);
        Assert.Equal(transient, ex.Transient);
        Assert.Equal(model == "fail-429" ? TimeSpan.FromSeconds(3) : null, ex.RetryAfter);
        Assert.DoesNotContain("sk-test-secret", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await TokensUsedAsync(user));
    }

    [Fact]
    public async Task SlowProvider_TimesOutTransiently()
    {
        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { prompt = "hi", model = "slow" }, NewUser()));

        Assert.Equal("llm.timeout", ex.Code);
        Assert.True(ex.Transient);
    }

    [Fact]
    public async Task ProviderBudget_IsEnforcedClusterWide_WithRetryAfter()
    {
        for (var i = 0; i < SkillsClusterFixture.LimitedRequestsPerMinute; i++)
        {
            await RunAsync(new { provider = "limited", prompt = "hi" }, NewUser());
        }

        var ex = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { provider = "limited", prompt = "hi" }, NewUser()));

        Assert.Equal("llm.rate_limited", ex.Code);
        Assert.True(ex.Transient);
        Assert.True(ex.RetryAfter > TimeSpan.Zero);
        Assert.Equal(SkillsClusterFixture.LimitedRequestsPerMinute, fixture.Target.HitsOf("/limited/v1/chat/completions"));
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheProviderBreaker_ThenCallsFailFastWithoutReachingTheProvider()
    {
        for (var i = 0; i < 4; i++)
        {
            var failure = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { provider = "flaky", prompt = "hi" }, NewUser()));
            Assert.Equal("llm.status_500", failure.Code);
        }

        await SkillsClusterFixture.WaitForAsync(() => fixture.Breakers.Get("llm:flaky").Snapshot.State == BreakerState.Open, "llm:flaky to open");
        var calls = fixture.Target.HitsOf("/flaky/v1/chat/completions");

        var rejected = await Assert.ThrowsAsync<SkillException>(() => RunAsync(new { provider = "flaky", prompt = "hi" }, NewUser()));

        Assert.Equal("llm.circuit_open", rejected.Code);
        Assert.True(rejected.Transient);
        Assert.True(rejected.RetryAfter > TimeSpan.Zero);
        Assert.Equal(4, calls);
        Assert.Equal(calls, fixture.Target.HitsOf("/flaky/v1/chat/completions"));
    }

    [Theory]
    [InlineData("{ \"provider\": \"nope\", \"prompt\": \"x\" }", "provider 'nope' is not configured")]
    [InlineData("{ \"prompt\": \"x\", \"messages\": [] }", "exactly one of messages and prompt")]
    [InlineData("{ \"messages\": [{ \"role\": \"tool\", \"content\": \"x\" }] }", "messages[0] needs role")]
    [InlineData("{ \"prompt\": \"x\", \"temperature\": 3 }", "temperature")]
    public void Validate_NamesTheProblem(string input, string message)
    {
        Assert.Contains(Skill.Validate(JsonDocument.Parse(input).RootElement), e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Skills_AreRegisteredWithTheirDefaultCapabilities()
    {
        var registry = fixture.Silo.GetRequiredService<SkillRegistry>();

        Assert.True(registry.IsAllowed("json.transform", ["anything"]));
        Assert.True(registry.IsAllowed("http.request", ["http"]));
        Assert.False(registry.IsAllowed("http.request", ["llm"]));
        Assert.True(registry.IsAllowed("llm.chat", ["llm"]));
        Assert.False(registry.IsAllowed("llm.chat", ["search"]));
    }
}
