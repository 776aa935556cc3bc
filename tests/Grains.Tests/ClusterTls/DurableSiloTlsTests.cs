using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.ClusterTls;

/// <summary>
/// The Silo host itself (Redis membership, PostgreSQL state), built as Silo/Program.cs builds it,
/// with Orleans:Tls set the way the prod overlay sets it: the TLS wiring of SiloHosting is on.
/// </summary>
public sealed class DurableSiloTlsTests : IAsyncLifetime, IDisposable
{
    private readonly string _clusterId = "tls-" + Guid.NewGuid().ToString("N")[..10];
    private readonly TestCertificates _certificates = new("durable-ca");
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task SiloHost_WithTlsSettings_ServesAClientOfItsCa_AndRefusesAPlainOrleansClient()
    {
        await using var silo = await SiloProcess.StartAsync(_db.ConnectionString, _clusterId, _certificates.Issue("silo"));

        using (var client = await ConnectAsync(silo.GatewayPort, _certificates.Issue("api", server: false)))
        {
            var agent = client.Services.GetRequiredService<IClusterClient>().GetGrain<IAgentGrain>("durable-tls");
            await agent.RegisterAsync(new AgentSpec("Worker", "behind TLS", ["tls"], 1, new Dictionary<string, string>()));
            Assert.Equal("Worker", (await agent.GetAsync())?.Name);
        }

        // What a stranger pod would do: speak Orleans to the gateway port without a certificate.
        var refused = await Assert.ThrowsAsync<ConnectionFailedException>(() => ConnectAsync(silo.GatewayPort, []).WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.StartsWith("Unable to connect to any of the 1 available gateways", refused.Message, StringComparison.Ordinal);
    }

    private async Task<IHost> ConnectAsync(int gatewayPort, Dictionary<string, string?> settings)
    {
        var tls = Grains.Hosting.ClusterTls.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), server: false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (_clusterId, _clusterId));
            client.UseAgentsClusterTls(tls);
            client.Services.AddSingleton<IClientConnectionRetryFilter, NoRetry>();
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private sealed class NoRetry : IClientConnectionRetryFilter
    {
        public Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
