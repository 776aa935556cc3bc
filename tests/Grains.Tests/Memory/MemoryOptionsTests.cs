using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Memory;

namespace OrleansAgents.Tests.Memory;

public sealed class MemoryOptionsTests
{
    private static MemoryOptions Read(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddAgentsSilo());
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<MemoryOptions>>().Value;
    }

    [Fact]
    public void Validation_NamesEveryWrongMemorySetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Read(new()
        {
            ["Memory:MaxEntries"] = "0",
            ["Memory:MaxBytes"] = "1000",
            ["Memory:MaxEntryBytes"] = "2000",
            ["Memory:MaxTimeToLive"] = "-00:00:01",
            // Below Orleans' default minimum reminder period of one minute.
            ["Memory:CleanupInterval"] = "00:00:10",
        }));

        Assert.Contains(ex.Failures, f => f.StartsWith("Memory:MaxEntries ", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Memory:MaxEntryBytes ", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Memory:MaxTimeToLive ", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Memory:CleanupInterval ", StringComparison.Ordinal));
        Assert.DoesNotContain(ex.Failures, f => f.StartsWith("Memory:MaxBytes ", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_AreValid_AndMatchTheDocumentedQuotas()
    {
        var options = Read([]);

        Assert.Equal((1000, 1024 * 1024L, 64 * 1024), (options.MaxEntries, options.MaxBytes, options.MaxEntryBytes));
        Assert.Equal(TimeSpan.FromHours(6), options.CleanupInterval);
        Assert.Equal(TimeSpan.FromDays(30), options.MaxTimeToLive);
    }
}
