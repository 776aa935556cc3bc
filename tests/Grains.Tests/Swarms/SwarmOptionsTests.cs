using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Swarms;

namespace OrleansAgents.Tests.Swarms;

public sealed class SwarmOptionsTests
{
    private static SwarmOptions Read(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddAgentsSilo());
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<SwarmOptions>>().Value;
    }

    [Fact]
    public void Validation_NamesEveryWrongSwarmSetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Read(new()
        {
            ["Swarms:MaxSwarmSize"] = "1",
            ["Swarms:ParticlesPerBatch"] = "0",
            ["Swarms:CheckpointEvery"] = "0",
            // Below Orleans' default minimum reminder period of one minute.
            ["Swarms:WatchdogInterval"] = "00:00:10",
        }));

        Assert.Contains(ex.Failures, f => f.StartsWith("Swarms:MaxSwarmSize ", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Swarms:ParticlesPerBatch ", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Swarms:CheckpointEvery ", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Swarms:WatchdogInterval ", StringComparison.Ordinal));
    }

    [Fact]
    public void Layout_CutsTheSwarmIntoNearlyEqualBatches_WithinTheCap()
    {
        var layout = SwarmLayout.Of(43, new SwarmOptions { ParticlesPerBatch = 10, MaxBatches = 16 });
        var capped = SwarmLayout.Of(1000, new SwarmOptions { ParticlesPerBatch = 10, MaxBatches = 16 });

        Assert.Equal([9, 9, 9, 8, 8], layout.Select(b => b.Count));
        Assert.Equal([0, 9, 18, 27, 35], layout.Select(b => b.First));
        Assert.Equal(16, capped.Count);
        Assert.Equal(1000, capped.Sum(b => b.Count));
    }
}
