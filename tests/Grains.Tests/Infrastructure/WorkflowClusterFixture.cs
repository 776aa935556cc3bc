using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;
using OrleansAgents.Tests.Tasks;

namespace OrleansAgents.Tests.Workflows;

/// <summary>Two silos with the probe skill, fast task retries and a one-second run reminder.</summary>
public sealed class WorkflowClusterFixture : RegistryClusterFixture
{
    public SkillProbe Probe { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:RetryBaseDelay"] = "00:00:00.020",
        ["Tasks:RetryMaxDelay"] = "00:00:00.100",
        ["Tasks:WatchdogInterval"] = "00:00:02",
        ["Tasks:RouteCacheDuration"] = "00:00:00.001",
        ["Tasks:LoadCacheDuration"] = "00:00:00", // the clock is frozen: read loads on every decision
        ["Workflows:ResumeInterval"] = "00:00:01",
        ["Workflows:SubmitRetryDelay"] = "00:00:00.200",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton(Probe);
        silo.Services.AddSkill<ProbeSkill>(SkillRegistry.AnyCapability);
    }
}
