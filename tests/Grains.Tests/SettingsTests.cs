using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OrleansAgents.Silo.Hosting;

namespace OrleansAgents.Tests;

public sealed class SettingsTests
{
    [Fact]
    public void ReadSettings_NamesEveryMissingOrWrongSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:SiloPort"] = "70000",
            ["Orleans:AdvertisedIPAddress"] = "not-an-ip",
        }).Build();

        var ex = Assert.Throws<OptionsValidationException>(() => SiloHosting.ReadSettings(configuration));

        Assert.Contains(ex.Failures, f => f.StartsWith("ConnectionStrings:Postgres is required", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("ConnectionStrings:Redis is required", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Orleans:SiloPort", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Orleans:AdvertisedIPAddress", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadSettings_AcceptsAMinimalConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1",
            ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
        }).Build();

        var settings = SiloHosting.ReadSettings(configuration);

        Assert.Equal("orleans-agents", settings.ClusterId);
        Assert.Equal(11111, settings.SiloPort);
    }

    [Fact]
    public void ReadSettings_RefusesKubernetesIdsThatDisagreeWithOurs()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1",
            ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
            ["POD_NAME"] = "orleans-agents-silo-0",
            ["ORLEANS_CLUSTER_ID"] = "prod",
            ["ORLEANS_SERVICE_ID"] = "orleans-agents",
        }).Build();

        var ex = Assert.Throws<OptionsValidationException>(() => SiloHosting.ReadSettings(configuration));

        Assert.Contains(ex.Failures, f => f.StartsWith("ORLEANS_CLUSTER_ID ('prod') differs from Orleans:ClusterId", StringComparison.Ordinal));
        Assert.DoesNotContain(ex.Failures, f => f.StartsWith("ORLEANS_SERVICE_ID", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadSettings_UsesKubernetesHostingOnlyWhenPodNameIsSet()
    {
        var local = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1",
            ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
        };
        Assert.False(SiloHosting.ReadSettings(new ConfigurationBuilder().AddInMemoryCollection(local).Build()).RunsInKubernetes);

        local["POD_NAME"] = "orleans-agents-silo-0";
        Assert.True(SiloHosting.ReadSettings(new ConfigurationBuilder().AddInMemoryCollection(local).Build()).RunsInKubernetes);
    }

    [Fact]
    public void ReadSettings_PreparesStatementsAndSkipsTheResetUnlessTheConnectionStringSaysOtherwise()
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Username=postgres",
            ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
        };
        var prepared = new Npgsql.NpgsqlConnectionStringBuilder(Read(values).PostgresConnectionString);
        Assert.Equal(SiloHosting.DefaultMaxAutoPrepare, prepared.MaxAutoPrepare);
        Assert.Equal(2, prepared.AutoPrepareMinUsages);
        Assert.True(prepared.NoResetOnClose);
        Assert.Equal("postgres", prepared.Username);

        values["ConnectionStrings:Postgres"] = "Host=127.0.0.1;max auto prepare=0;NoResetOnClose=false";
        var off = new Npgsql.NpgsqlConnectionStringBuilder(Read(values).PostgresConnectionString);
        Assert.Equal((0, false), (off.MaxAutoPrepare, off.NoResetOnClose));

        values["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Max Auto Prepare=5;Auto Prepare Min Usages=7";
        var own = new Npgsql.NpgsqlConnectionStringBuilder(Read(values).PostgresConnectionString);
        Assert.Equal((5, 7), (own.MaxAutoPrepare, own.AutoPrepareMinUsages));
    }

    [Fact]
    public void ReadSettings_NamesAMalformedPostgresConnectionString()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Read(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Colour=blue",
            ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
        }));

        Assert.Contains(ex.Failures, f => f.StartsWith("ConnectionStrings:Postgres is not a valid Npgsql connection string", StringComparison.Ordinal));
    }

    private static SiloSettings Read(Dictionary<string, string?> values) =>
        SiloHosting.ReadSettings(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}
