using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansAgents.Api.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Hosting;
using StackExchange.Redis;

namespace OrleansAgents.Api.Hosting;

public static partial class ClusterHosting
{
    /// <summary>How often the client re-reads the live gateways from the membership table.</summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);

    /// <summary>Connection attempts at start before the API gives up (one every <see cref="ConnectRetryDelay"/>).</summary>
    public const int ConnectAttempts = 30;

    public static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Connects the API to the cluster: an embedded silo or a client of the Redis-clustered silos.</summary>
    public static WebApplicationBuilder AddAgentsCluster(this WebApplicationBuilder builder)
    {
        var settings = ApiSettings.Read(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new GatewayLossSignal(settings.GatewayLossGrace));
        var embedded = settings.EffectiveMode == ClusterMode.Embedded;
        var tls = ClusterTls.Load(builder.Configuration, server: embedded);
        if (embedded)
        {
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
                silo.UseAgentsClusterTls(tls);
                // One silo: state in a dictionary of this process, no storage grains (see InProcessGrainStorage).
                InProcessGrainStorage.AddTo(silo.Services, StorageNames.All);

                silo.UseInMemoryReminderService();
                if (settings.DashboardEnabled)
                {
                    silo.AddDashboard();
                }

                silo.AddActivityPropagation();
                silo.AddAgentsSilo();
            });
            builder.Services.AddHostedService<EmbeddedModeNotice>();
        }
        else
        {
            var redis = ConfigurationOptions.Parse(settings.RedisConnectionString!);
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = settings.ClusterId;
                    o.ServiceId = settings.ServiceId;
                });
                client.UseRedisClustering(o => o.ConfigurationOptions = redis);
                client.UseAgentsClusterTls(tls);
                // A dead silo's gateway leaves the list at the next refresh (default 1 min): refresh
                // often so new requests stop going to it within seconds.
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
                // At start the cluster may not be up yet (all silos restarting): keep trying for a while
                // instead of failing the API host at once.
                var attempts = 0;
                client.UseConnectionRetryFilter(async (exception, cancellationToken) =>
                {
                    if (++attempts > ConnectAttempts)
                    {
                        return false;
                    }

                    await Task.Delay(ConnectRetryDelay, cancellationToken);
                    return true;
                });
                client.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<GatewayLossSignal>());
                client.Services.AddClusterCircuitBreakers();
                client.AddActivityPropagation();
                if (settings.DashboardEnabled)
                {
                    client.AddDashboard();
                }
            });
        }

        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [HealthTags.Ready]);
        return builder;
    }

    private sealed partial class EmbeddedModeNotice(ILogger<EmbeddedModeNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogEmbedded();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded mode: an in-process silo with in-memory storage. State is NOT durable and is lost when this process stops. Set ConnectionStrings:Redis to run as a client of a durable cluster.")]
        private partial void LogEmbedded();
    }
}

/// <summary>Ready when a grain call round-trips through the cluster.</summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var counts = await grains.GetGrain<IAgentCatalogGrain>(0).CountByStatusAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"Cluster answers; {counts.Idle + counts.Busy + counts.Unhealthy} live agent(s).");
        }
        catch (Exception ex) when (ex is Orleans.Runtime.OrleansException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer: " + ex.Message);
        }
    }
}
