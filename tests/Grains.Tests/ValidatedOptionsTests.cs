using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Collective;
using OrleansAgents.Grains.Conversations;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Mcp;
using OrleansAgents.Grains.Memory;
using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.Grains.Resilience;
using OrleansAgents.Grains.Security;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Trust;
using OrleansAgents.Grains.Workflows;

namespace OrleansAgents.Tests;

/// <summary>
/// Options checked by the generated [OptionsValidator]s: a wrong value stops start-up, and the failure
/// names the configuration key an operator sets, not the generator's "Type.Member".
/// </summary>
public sealed class ValidatedOptionsTests
{
    /// <summary>What starting a silo with these settings says about <typeparamref name="TOptions"/>.</summary>
    internal static OptionsValidationException StartFails<TOptions>(Dictionary<string, string?> settings)
        where TOptions : class
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddAgentsSilo());
        using var host = builder.Build();
        return Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<TOptions>>().Value);
    }

    [Fact]
    public void WrongWorkflowSettings_AreNamedByTheirConfigKey_WithTheValueGiven()
    {
        var ex = StartFails<WorkflowOptions>(new()
        {
            ["Workflows:EventRetention"] = "5",
            ["Workflows:SubmitPatience"] = "00:00:00",
        });

        Assert.Contains("Workflows:EventRetention must be at least 10 (was 5).", ex.Failures);
        Assert.Contains("Workflows:SubmitPatience must be at least 00:00:00.0000001 (was 00:00:00).", ex.Failures);
        Assert.Equal(2, ex.Failures.Count());
    }

    [Fact]
    public void ABoundedRange_KeepsBothBounds_AndACrossFieldRuleIsStillChecked()
    {
        var collective = StartFails<CollectiveOptions>(new() { ["Collective:MaxAnalysisNodes"] = "1" });
        var agents = StartFails<AgentRegistryOptions>(new()
        {
            ["Agents:HeartbeatTimeout"] = "00:00:10",
            ["Agents:HeartbeatSyncInterval"] = "00:00:20",
        });

        Assert.Equal(["Collective:MaxAnalysisNodes must be between 2 and 5000 (was 1)."], collective.Failures);
        Assert.Equal(["Agents:HeartbeatSyncInterval must be below HeartbeatTimeout."], agents.Failures);
    }

    [Fact]
    public void ConversationSettings_OutOfRange_StopStart()
    {
        var ex = StartFails<ConversationOptions>(new()
        {
            ["Conversations:MaxDelegationDepth"] = "11",
            ["Conversations:ResumeInterval"] = "00:00:30",
        });

        Assert.Contains("Conversations:MaxDelegationDepth must be between 1 and 10 (was 11).", ex.Failures);
        Assert.Contains("Conversations:ResumeInterval must be at least 00:01:00 (was 00:00:30).", ex.Failures);
        Assert.Equal(2, ex.Failures.Count());
    }

    [Fact]
    public void TaskSettings_BoundsAndCrossFieldRules_AreBothReported_WithTheirValues()
    {
        var ex = StartFails<TaskOptions>(new()
        {
            ["Tasks:QueueCapacity"] = "0",
            ["Tasks:MaxInputBytes"] = "8",
            ["Tasks:DefaultTimeout"] = "02:00:00",
            ["Tasks:RetryBaseDelay"] = "00:00:10",
            ["Tasks:RetryMaxDelay"] = "00:00:05",
        });

        Assert.Equal(
            [
                "Tasks:DefaultTimeout must not exceed MaxTimeout (02:00:00 > 01:00:00).",
                "Tasks:MaxInputBytes must be at least 16 (was 8).",
                "Tasks:QueueCapacity must be at least 1 (was 0).",
                "Tasks:RetryMaxDelay must be at least RetryBaseDelay (00:00:05 < 00:00:10).",
            ],
            ex.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MemorySettings_NameTheQuotaAndTheReminderMinimum()
    {
        var ex = StartFails<MemoryOptions>(new()
        {
            ["Memory:MaxBytes"] = "1000",
            ["Memory:MaxEntryBytes"] = "2000",
            ["Memory:CleanupInterval"] = "00:00:10",
        });

        Assert.Contains("Memory:MaxEntryBytes must be at most Memory:MaxBytes (was 2000 > 1000).", ex.Failures);
        Assert.Contains("Memory:CleanupInterval must be at least the Orleans minimum reminder period 00:01:00 (was 00:00:10).", ex.Failures);
        Assert.Equal(2, ex.Failures.Count());
    }

    [Fact]
    public void TrustSettings_RangesAndListItems_AreNamed()
    {
        var ex = StartFails<TrustOptions>(new()
        {
            ["Trust:Alpha"] = "1",
            ["Trust:Partitions"] = "0",
            ["Trust:RoutingExploration"] = "1.5",
            ["Trust:ReadCacheDuration"] = "-00:00:01",
            ["Trust:Domains:0"] = "Not A Domain",
        });

        Assert.Contains("Trust:Alpha must be between 0 and 1, exclusive (was 1).", ex.Failures);
        Assert.Contains("Trust:Partitions must be between 1 and 256 (was 0).", ex.Failures);
        Assert.Contains("Trust:RoutingExploration must be between 0 and 1 (was 1.5).", ex.Failures);
        Assert.Contains("Trust:ReadCacheDuration must be at least 00:00:00 (was -00:00:01).", ex.Failures);
        Assert.Contains(ex.Failures, f => f.StartsWith("Trust:Domains has 'Not A Domain'", StringComparison.Ordinal));
        Assert.Equal(5, ex.Failures.Count());
    }

    [Fact]
    public void RateLimitingSettings_BoundsAndTierRules_AreNamed()
    {
        var ex = StartFails<RateLimitingOptions>(new()
        {
            ["RateLimiting:CheckpointEvery"] = "0",
            ["RateLimiting:DefaultTier"] = "gold",
        });

        Assert.Contains("RateLimiting:CheckpointEvery must be at least 1 (was 0).", ex.Failures);
        Assert.Contains(ex.Failures, f => f.StartsWith("RateLimiting:DefaultTier 'gold' is not one of RateLimiting:Tiers (", StringComparison.Ordinal));
        Assert.Equal(2, ex.Failures.Count());
    }

    [Fact]
    public void SwarmAndConsensusSettings_ShareTheirSection_AndKeepTheirHandWrittenRules()
    {
        var swarms = StartFails<SwarmOptions>(new()
        {
            ["Swarms:MaxEvaluations"] = "3",
            ["Swarms:WatchdogInterval"] = "00:00:10",
        });
        var consensus = StartFails<ConsensusOptions>(new()
        {
            ["Swarms:MaxConsensusAgents"] = "40",
            ["Swarms:ConsensusDefaultDeadline"] = "00:20:00",
        });

        Assert.Equal(
            [
                "Swarms:MaxEvaluations must be at least 4 (was 3).",
                "Swarms:WatchdogInterval must be at least the Orleans minimum reminder period 00:01:00 (was 00:00:10).",
            ],
            swarms.Failures.Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "Swarms: need 0 < ConsensusMinDeadline ≤ ConsensusDefaultDeadline ≤ ConsensusMaxDeadline.",
                "Swarms:MaxConsensusAgents must be between 1 and 31 (was 40).",
            ],
            consensus.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CircuitBreakerSettings_TopLevelBounds_AndEachBreakersRules_AreNamed()
    {
        var ex = StartFails<CircuitBreakerOptions>(new()
        {
            ["CircuitBreakers:HistorySize"] = "0",
            ["CircuitBreakers:RefreshInterval"] = "00:00:02",
            ["CircuitBreakers:Overrides:0:Name"] = "llm:openai",
            ["CircuitBreakers:Overrides:0:HalfOpenProbes"] = "0",
        });

        Assert.Equal(
            [
                "CircuitBreakers:HistorySize must be between 1 and 1000 (was 0).",
                "CircuitBreakers:Overrides:0:HalfOpenProbes must be 1-100 (was 0).",
                "CircuitBreakers:RefreshInterval must be between 00:00:00.0000001 and 00:00:01 (was 00:00:02).",
            ],
            ex.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SecuritySettings_NestedLockoutMembers_AreNamedByTheirConfigKey()
    {
        var ex = StartFails<SecurityOptions>(new()
        {
            ["Security:Lockout:MaxFailures"] = "0",
            ["Security:Lockout:BaseDelay"] = "00:30:00",
            ["Security:PasswordIterations"] = "1000",
            ["Security:ApiKeyUsageWriteInterval"] = "-00:00:01",
        });

        Assert.Equal(
            [
                "Security:ApiKeyUsageWriteInterval must be at least 00:00:00 (was -00:00:01).",
                "Security:Lockout:BaseDelay must not exceed Lockout:Duration (00:30:00 > 00:15:00).",
                "Security:Lockout:MaxFailures must be between 1 and 1000 (was 0).",
                "Security:PasswordIterations must be between 210000 and 10000000 (was 1000).",
            ],
            ex.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void DictionaryAndListItems_AreNamedByTheirConfigKey()
    {
        var mcp = StartFails<McpOptions>(new()
        {
            ["Mcp:Servers:tools:Url"] = "https://tools.example.com/mcp",
            ["Mcp:Servers:tools:TimeoutSeconds"] = "601",
            ["Mcp:Servers:tools:CallsPerMinute"] = "0",
        });
        var prices = StartFails<LlmPriceOptions>(new()
        {
            ["Skills:Llm:Providers:local:Endpoint"] = "http://127.0.0.1:11434/v1",
            ["Skills:Llm:Providers:local:Model"] = "llama3.1",
            ["Skills:Llm:Prices:0:Provider"] = "local",
            ["Skills:Llm:Prices:0:Model"] = " ",
            ["Skills:Llm:Prices:0:InputPerMillion"] = "-1",
            ["Skills:Llm:Prices:1:Provider"] = "openai",
        });
        var skills = StartFails<SkillOptions>(new() { ["Skills:Allow:echo:0"] = "Not A Capability" });

        Assert.Equal(
            [
                "Mcp:Servers:tools:CallsPerMinute must be at least 1 (was 0).",
                "Mcp:Servers:tools:TimeoutSeconds must be between 1 and 600 (was 601).",
            ],
            mcp.Failures.Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "Skills:Llm:Prices:0:InputPerMillion must be at least 0 (was -1).",
                "Skills:Llm:Prices:0:Model is required.",
                "Skills:Llm:Prices:1:Provider 'openai' is not defined under Skills:Llm:Providers.",
            ],
            prices.Failures.Order(StringComparer.Ordinal));
        Assert.StartsWith("Skills:Allow:echo has an invalid capability 'Not A Capability'", Assert.Single(skills.Failures), StringComparison.Ordinal);
    }
}
