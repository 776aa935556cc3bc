using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Security;

namespace OrleansAgents.Tests.Security;

public sealed class SecurityOptionsTests
{
    private static SecurityOptions Read(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddAgentsSilo());
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var o = Read([]);

        Assert.Equal(5, o.Lockout.MaxFailures);
        Assert.Equal(TimeSpan.FromMinutes(15), o.Lockout.Duration);
        Assert.Equal(TimeSpan.FromDays(14), o.RefreshTokenLifetime);
    }

    [Fact]
    public void Validation_NamesEveryWrongSecuritySetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Read(new()
        {
            ["Security:Lockout:MaxFailures"] = "0",
            ["Security:Lockout:Duration"] = "00:00:00",
            ["Security:RefreshTokenLifetime"] = "-00:00:01",
            ["Security:RotatedSecretsKept"] = "0",
            ["Security:MaxSessionsPerUser"] = "0",
            ["Security:ApiKeyUsageWriteInterval"] = "-00:00:01",
        }));

        foreach (var key in new[] { "Lockout:MaxFailures", "Lockout:Duration", "RefreshTokenLifetime", "RotatedSecretsKept", "MaxSessionsPerUser", "ApiKeyUsageWriteInterval" })
        {
            Assert.Contains(ex.Failures, f => f.Contains($"Security:{key}", StringComparison.Ordinal));
        }
    }
}
