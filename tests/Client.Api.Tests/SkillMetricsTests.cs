using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Tests;

/// <summary>
/// The skills' instruments reach /metrics through prometheus-net (the skills recording into
/// <see cref="SkillMetrics"/> is tested in Grains.Tests against real fakes).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class SkillMetricsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task SkillMetrics_AppearOnMetrics_WithTheirLabels()
    {
        var metrics = factory.Services.GetRequiredService<SkillMetrics>();
        metrics.HttpRequest("api.example.test", "success");
        metrics.LlmRequest("ollama-test", "llama3", "success");
        metrics.LlmTokens("ollama-test", "llama3", 7, 5);
        metrics.LlmDuration("ollama-test", "llama3", TimeSpan.FromMilliseconds(250));

        var text = await factory.ManagementClient().GetStringAsync("/metrics");

        Assert.Contains("orleansagents_skills_http_requests{host=\"api.example.test\",outcome=\"success\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_requests{model=\"llama3\",outcome=\"success\",provider=\"ollama-test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_tokens{kind=\"output\",model=\"llama3\",provider=\"ollama-test\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_duration_seconds_bucket{le=\"0.1\",model=\"llama3\",provider=\"ollama-test\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_duration_seconds_bucket{le=\"0.25\",model=\"llama3\",provider=\"ollama-test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_duration_seconds_bucket{le=\"+Inf\",model=\"llama3\",provider=\"ollama-test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_duration_seconds_sum{model=\"llama3\",provider=\"ollama-test\"} 0.25", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_skills_llm_duration_seconds_count{model=\"llama3\",provider=\"ollama-test\"} 1", text, StringComparison.Ordinal);
    }
}
