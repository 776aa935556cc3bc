using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Messaging;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Tests.ClusterTls;

/// <summary>
/// Two real silos and real clients over TCP with mutual TLS, wired by the same
/// <see cref="Grains.Hosting.ClusterTls"/> the Silo and the API use: certificates from the cluster CA
/// form a cluster and serve grain calls; a client without a certificate, or with one from another
/// CA, never becomes a cluster client (the attack of issue 17 item 2).
/// </summary>
public sealed class ClusterTlsTests(ClusterTlsTests.TlsCluster cluster) : IClassFixture<ClusterTlsTests.TlsCluster>
{
    [Fact]
    public async Task TwoSilos_WithCertificatesFromTheClusterCa_FormOneCluster_AndServeAClientWithOne()
    {
        using var client = await StartClientAsync(cluster.Certificates.Issue("api", server: false));
        var grains = client.Services.GetRequiredService<IClusterClient>();

        // Silo-to-silo traffic is TLS too: the second silo is only active if the handshake with the first succeeded.
        var management = grains.GetGrain<IManagementGrain>(0);
        await Eventually.HoldsAsync(async () => (await management.GetHosts(onlyActive: true)).Count, hosts => hosts == 2, "both silos to be active");
        await grains.GetGrain<IAgentGrain>("tls-agent").RegisterAsync(new AgentSpec("Worker", "behind TLS", ["tls"], 1, new Dictionary<string, string>()));
        var read = await grains.GetGrain<IAgentGrain>("tls-agent").GetAsync();
        Assert.Equal("Worker", read?.Name);
    }

    [Fact]
    public async Task Client_WithACertificateFromAnotherCa_IsRefusedByTheGateways()
    {
        using var stranger = new TestCertificates("stranger-ca");
        var settings = stranger.Issue("intruder", server: false);
        settings["Orleans:Tls:CaPath"] = cluster.Certificates.CaPath;

        // The client's own start-up check already says its certificate is not from the cluster CA ...
        var refused = Assert.Throws<OptionsValidationException>(() => Grains.Hosting.ClusterTls.Load(Configuration(settings), server: false));
        Assert.Contains("does not chain to a CA in Orleans:Tls:CaPath", refused.Message, StringComparison.Ordinal);

        // ... and an attacker who skips that check (trusting its own CA too) is still refused by the gateways.
        var bundle = Path.Combine(stranger.Directory, "both.crt");
        await File.WriteAllTextAsync(bundle, await File.ReadAllTextAsync(stranger.CaPath) + await File.ReadAllTextAsync(cluster.Certificates.CaPath));
        settings["Orleans:Tls:CaPath"] = bundle;
        await AssertRefusedAsync(settings);
    }

    [Fact]
    public async Task Client_WithoutTls_IsRefusedByTheGateways() =>
        await AssertRefusedAsync(new Dictionary<string, string?>());

    private static async Task AssertRefusedAsync(Dictionary<string, string?> settings)
    {
        // Every gateway drops the connection during the handshake, so the client never gets a cluster connection.
        var refused = await Assert.ThrowsAsync<ConnectionFailedException>(() => StartClientAsync(settings).WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.StartsWith("Unable to connect to any of the 2 available gateways", refused.Message, StringComparison.Ordinal);
    }

    private static Task<IHost> StartClientAsync(Dictionary<string, string?> settings)
    {
        var tls = Grains.Hosting.ClusterTls.Load(Configuration(settings), server: false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(TlsCluster.GatewayPorts, TlsCluster.Id, TlsCluster.Id);
            client.UseAgentsClusterTls(tls);
            // One attempt: a refused handshake should fail the start here, not be retried for minutes.
            client.Services.AddSingleton<IClientConnectionRetryFilter, NoRetry>();
        });
        return StartAsync(builder.Build());
    }

    private static async Task<IHost> StartAsync(IHost host)
    {
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

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private sealed class NoRetry : IClientConnectionRetryFilter
    {
        public Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    /// <summary>Two silos on localhost clustering in this worker's port range (9400-9499).</summary>
    public sealed class TlsCluster : IAsyncLifetime
    {
        public const string Id = "tls-test";
        public static readonly int[] GatewayPorts = [9410, 9411];
        private static readonly int[] SiloPorts = [9400, 9401];
        private readonly List<IHost> _silos = [];

        public TestCertificates Certificates { get; } = new("cluster-ca");

        public async Task InitializeAsync()
        {
            for (var i = 0; i < SiloPorts.Length; i++)
            {
                var tls = Grains.Hosting.ClusterTls.Load(Configuration(Certificates.Issue("silo-" + i)), server: true);
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                var (siloPort, gatewayPort) = (SiloPorts[i], GatewayPorts[i]);
                builder.UseOrleans(silo =>
                {
                    silo.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, SiloPorts[0]), Id, Id);
                    silo.UseAgentsClusterTls(tls);
                    foreach (var storage in StorageNames.All)
                    {
                        silo.AddMemoryGrainStorage(storage);
                    }

                    silo.UseInMemoryReminderService();
                    silo.AddAgentsSilo();
                });
                _silos.Add(await StartAsync(builder.Build()));
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var silo in Enumerable.Reverse(_silos))
            {
                await silo.StopAsync();
                silo.Dispose();
            }

            Certificates.Dispose();
        }
    }
}
