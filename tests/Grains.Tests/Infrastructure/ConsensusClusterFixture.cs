using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Swarms;

/// <summary>Short deadlines allowed, no routing exploration, fresh trust reads; the vote and score test skills.</summary>
public sealed class ConsensusClusterFixture : RegistryClusterFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Swarms:MaxConsensusAgents"] = "6",
        ["Swarms:ConsensusMinDeadline"] = "00:00:00.200",
        ["Swarms:ConsensusReminderInterval"] = "00:00:01",
        ["Tasks:RouteCacheDuration"] = "00:00:00.001",
        ["Tasks:LoadCacheDuration"] = "00:00:00", // the clock is frozen: read loads on every decision
        ["Tasks:RetryBaseDelay"] = "00:00:00.020",
        ["Tasks:RetryMaxDelay"] = "00:00:00.100",
        ["Trust:ReadCacheDuration"] = "00:00:00",
        ["Trust:RoutingCacheDuration"] = "00:00:00",
        ["Trust:RoutingExploration"] = "0",
        ["Collective:CacheDuration"] = "00:00:00",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSkill<VoteSkill>(SkillRegistry.AnyCapability);
        silo.Services.AddSkill<ScoreSkill>(SkillRegistry.AnyCapability);
    }
}

/// <summary>
/// Input: { "answers": { agentId: any }, "default": any, "fail": [agentId], "hold": [agentId] }.
/// Answers what the running agent is told to; fails or never answers (until cancelled) when listed.
/// </summary>
public sealed class VoteSkill : ISkill
{
    public string Name => "test.vote";

    public string Description => "Test vote";

    public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

    public IReadOnlyList<string> Validate(JsonElement input) => input.ValueKind == JsonValueKind.Object ? [] : ["input must be an object."];

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        if (Listed(input, "fail", context.AgentId))
        {
            throw new SkillException("test.fatal", "told to fail", transient: false);
        }

        if (Listed(input, "hold", context.AgentId))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return input.TryGetProperty("answers", out var answers) && answers.TryGetProperty(context.AgentId, out var mine)
            ? mine.Clone()
            : input.TryGetProperty("default", out var fallback) ? fallback.Clone() : JsonSerializer.SerializeToElement(context.AgentId);
    }

    private static bool Listed(JsonElement input, string name, string agentId) =>
        input.TryGetProperty(name, out var list) && list.EnumerateArray().Any(e => e.GetString() == agentId);
}

/// <summary>Input { "input": …, "answer": … }: the answer's score is the answer itself when it is a number, else 0.</summary>
public sealed class ScoreSkill : ISkill
{
    public string Name => "test.score";

    public string Description => "Test score";

    public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

    public IReadOnlyList<string> Validate(JsonElement input) => [];

    public ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var answer = context.Input.GetProperty("answer");
        return ValueTask.FromResult(JsonSerializer.SerializeToElement(new { score = answer.ValueKind == JsonValueKind.Number ? answer.GetDouble() : 0 }));
    }
}
