using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Hosting;
using OrleansAgents.Tests.ClusterTls;

namespace OrleansAgents.Tests;

/// <summary>
/// The API in client mode (as in Kubernetes) with Orleans:Tls set, against a silo on Redis
/// membership that accepts only TLS clients of its CA: the API's cluster check answers, so the
/// API presented its certificate to the gateway.
/// </summary>
public sealed class ClusterTlsClientModeTests : IDisposable
{
    // This test's ports, from the range its author runs in; the silo advertises them in Redis.
    private const int SiloPort = 9420;
    private const int GatewayPort = 9421;
    private readonly string _clusterId = "api-tls-" + Guid.NewGuid().ToString("N")[..8];
    private readonly TestCertificates _certificates = new("api-tls-ca");

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task ApiInClientMode_WithTlsSettings_ReachesATlsOnlyCluster()
    {
        var redis = Environment.GetEnvironmentVariable("AGENTS_TEST_REDIS") is { Length: > 0 } r
            ? r
            : throw new InvalidOperationException("AGENTS_TEST_REDIS is not set: run the tests through scripts/test.sh, which starts Redis.");
        using var silo = await StartSiloAsync(redis);

        using var api = new TlsClientApi(_clusterId, redis, _certificates.Issue("api", server: false));
        var http = await Task.Run(api.CreateClient).WaitAsync(TimeSpan.FromMinutes(2));
        await Eventually.HoldsAsync(
            async () => (await http.GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative))).StatusCode,
            status => status == HttpStatusCode.OK, "the client-mode API to be ready");
    }

    private async Task<IHost> StartSiloAsync(string redis)
    {
        var tls = Grains.Hosting.ClusterTls.Load(new ConfigurationBuilder().AddInMemoryCollection(_certificates.Issue("silo")).Build(), server: true);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (_clusterId, _clusterId));
            silo.ConfigureEndpoints(IPAddress.Loopback, SiloPort, GatewayPort);
            silo.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
            silo.UseAgentsClusterTls(tls);
            foreach (var storage in StorageNames.All)
            {
                silo.AddMemoryGrainStorage(storage);
            }

            silo.UseInMemoryReminderService();
            silo.AddAgentsSilo();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private sealed class TlsClientApi(string clusterId, string redis, Dictionary<string, string?> tls) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Test");
            builder.UseSetting("ConnectionStrings:Redis", redis);
            builder.UseSetting("Orleans:ClusterId", clusterId);
            builder.UseSetting("Orleans:ServiceId", clusterId);
            builder.UseSetting("Orleans:ManagementPort", "9422");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Security:SigningKeys:0:Id", "test-1");
            builder.UseSetting("Security:SigningKeys:0:Key", ApiFactory.SigningKey);
            builder.UseSetting("Security:BootstrapAdminPassword", ApiFactory.AdminPassword);
            foreach (var (key, value) in tls)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
