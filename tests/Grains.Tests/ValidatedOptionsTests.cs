using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Collective;
using OrleansAgents.Grains.Conversations;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Workflows;

namespace OrleansAgents.Tests;

/// <summary>
/// Options checked by the generated [OptionsValidator]s: a wrong value stops start-up, and the failure
/// names the configuration key an operator sets, not the generator's "Type.Member".
/// </summary>
public sealed class ValidatedOptionsTests
{
    private static OptionsValidationException StartFails<TOptions>(Dictionary<string, string?> settings)
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
}
