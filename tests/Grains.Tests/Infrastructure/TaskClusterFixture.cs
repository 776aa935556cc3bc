using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

public sealed class TaskClusterFixture : RegistryClusterFixture
{
    public SkillProbe Probe { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:QueueCapacity"] = "3",
        ["Tasks:RetryBaseDelay"] = "00:00:00.020",
        ["Tasks:RetryMaxDelay"] = "00:00:00.100",
        ["Tasks:WatchdogInterval"] = "00:00:02",
        ["Tasks:QueueFullRetryAfter"] = "00:00:07",
        ["Tasks:MaxInputBytes"] = "1024",
        ["Tasks:RouteCacheDuration"] = "00:00:00.001",
        ["Tasks:LoadCacheDuration"] = "00:00:00", // the clock is frozen: read loads on every decision
        ["Jobs:agents.health-sweep:Interval"] = "00:00:01",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton(Probe);
        silo.Services.AddSkill<ProbeSkill>(SkillRegistry.AnyCapability);
    }
}
