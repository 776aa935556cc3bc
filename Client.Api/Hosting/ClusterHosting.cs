using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansAgents.Grains.Hosting;
using StackExchange.Redis;

namespace OrleansAgents.Api.Hosting;

public static partial class ClusterHosting
{
    /// <summary>Connects the API to the cluster: an embedded silo or a client of the Redis-clustered silos.</summary>
    public static WebApplicationBuilder AddAgentsCluster(this WebApplicationBuilder builder)
    {
        var settings = ApiSettings.Read(builder.Configuration);
        builder.Services.AddSingleton(settings);
        var embedded = settings.EffectiveMode == ClusterMode.Embedded;
        var tls = ClusterTls.Load(builder.Configuration, server: embedded);
        if (embedded)
        {
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
                silo.UseAgentsClusterTls(tls);
                foreach (var storage in StorageNames.All)
                {
                    silo.AddMemoryGrainStorage(storage);
                    silo.Services.UseOrleansBinaryStateFormat<MemoryGrainStorageOptions>(storage);
                }

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
