using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Prometheus;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Hosting;
using OrleansAgents.Grains.Security.Audit;
using OrleansAgents.Silo.Health;
using OrleansAgents.Silo.Storage;
using StackExchange.Redis;

namespace OrleansAgents.Silo.Hosting;

public static class SiloHosting
{
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>Reads and validates the settings; throws one exception naming every bad setting.</summary>
    public static SiloSettings ReadSettings(IConfiguration configuration)
    {
        var settings = new SiloSettings();
        configuration.GetSection(SiloSettings.Section).Bind(settings);
        settings.PostgresConnectionString = configuration.GetConnectionString("Postgres");
        settings.RedisConnectionString = configuration.GetConnectionString("Redis");
        settings.KubernetesPodName = configuration["POD_NAME"];
        settings.KubernetesClusterId = configuration["ORLEANS_CLUSTER_ID"];
        settings.KubernetesServiceId = configuration["ORLEANS_SERVICE_ID"];
        var failures = new SiloSettingsValidator().FailuresOf(SiloSettings.Section, settings)
            .Concat(SiloSettingsValidator.OtherFailures(settings))
            .ToList();
        if (failures.Count == 0)
        {
            try
            {
                settings.PostgresConnectionString = WithConnectionDefaults(settings.PostgresConnectionString!);
            }
            catch (ArgumentException e)
            {
                failures.Add($"ConnectionStrings:Postgres is not a valid Npgsql connection string: {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SiloSettings.Section, typeof(SiloSettings), failures);
        }

        return settings;
    }

    /// <summary>Statements a silo keeps prepared per connection unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 32;

    /// <summary>
    /// Npgsql settings a silo needs for speed, each only where the operator's connection string does not
    /// set it. <c>Max Auto Prepare=32;Auto Prepare Min Usages=2</c>: a silo sends the same few statements
    /// thousands of times a second (grain state reads and writes, the task log's upsert); prepared,
    /// PostgreSQL skips parsing and planning them (bench/cluster.sh: 158 -> 232 tasks/s finished at 400/s
    /// offered). <c>No Reset On Close=true</c>: the Orleans ADO.NET provider opens a pooled connection per
    /// statement, and resetting its session state on each open was a second round trip (and half of the
    /// transactions PostgreSQL committed) for every statement; no code of ours or Orleans' leaves session
    /// state behind (no SET, LISTEN, temporary tables or session advisory locks), so there is nothing to
    /// reset (bench/workflows.sh: 98.6 -> 48.5 commits and 2,939 -> 4,728 runs/min).
    /// </summary>
    public static string WithConnectionDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql's own ContainsKey answers for every keyword it knows, so ask which ones the string names
        // (spelled with or without spaces, any case).
        var named = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!named.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!named.Contains("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            if (!named.Contains("AutoPrepareMinUsages"))
            {
                builder.AutoPrepareMinUsages = 2;
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// A durable silo: Redis membership, PostgreSQL grain state and reminders, dashboard,
    /// health checks. The host refuses to start if the database schema is behind.
    /// </summary>
    public static WebApplicationBuilder AddAgentsSiloHost(this WebApplicationBuilder builder)
    {
        var settings = ReadSettings(builder.Configuration);
        var tls = ClusterTls.Load(builder.Configuration, server: true);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout);

        // Registered before UseOrleans so it runs first: a silo must not join against a stale schema.
        services.AddHostedService(sp => new SchemaGuard(settings.PostgresConnectionString!, sp.GetRequiredService<ILogger<SchemaGuard>>()));
        builder.AddAgentsTelemetry("orleans-agents-silo");

        var redisOptions = ConfigurationOptions.Parse(settings.RedisConnectionString!);
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisOptions.Clone()));

        builder.Host.UseOrleans(silo =>
        {
            if (settings.RunsInKubernetes)
            {
                // Before our ClusterOptions so the validated settings have the last word; it does not
                // replace Redis membership.
                silo.UseKubernetesHosting();
            }

            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            if (settings.AdvertisedIPAddress is { } ip)
            {
                silo.ConfigureEndpoints(IPAddress.Parse(ip), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.ConfigureEndpoints(settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            }
            silo.UseRedisClustering(o => o.ConfigurationOptions = redisOptions.Clone());
            silo.UseAgentsClusterTls(tls);
            // Notice a dead silo fast: until it is declared dead, calls to the grains it hosted fail
            // or wait, and their work is not resumed elsewhere (docs/operations.md, "Chaos suite").
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = settings.ProbeTimeout;
                o.NumMissedProbesLimit = settings.NumMissedProbesLimit;
            });
            if (settings.MinimumReminderPeriod is { } minimumReminderPeriod)
            {
                silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = minimumReminderPeriod);
            }

            silo.UseAgentsPostgres(settings.PostgresConnectionString!);
            if (settings.DashboardEnabled)
            {
                silo.AddDashboard();
            }

            silo.AddActivityPropagation();
            silo.AddAgentsSilo();
        });

        services.AddSingleton<MembershipEntryWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<MembershipEntryWatch>());
        services.AddHealthChecks()
            .AddCheck("postgres", new PostgresHealthCheck(settings.PostgresConnectionString!), tags: [HealthTags.Ready])
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready])
            .AddCheck<MembershipHealthCheck>("membership", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>
    /// Everything a durable silo keeps in PostgreSQL: grain state (every storage name, binary format),
    /// reminders, and the audit log, workflow read model and task log in tables of their own. Shared by
    /// the silo host, the PostgreSQL test clusters and the benches, so they measure and test the
    /// production shape. Call before <c>AddAgentsSilo</c>, whose in-memory defaults are only TryAdds.
    /// </summary>
    public static ISiloBuilder UseAgentsPostgres(this ISiloBuilder silo, string connectionString)
    {
        var prepared = WithConnectionDefaults(connectionString);
        foreach (var storage in StorageNames.All)
        {
            silo.AddAdoNetGrainStorage(storage, o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = prepared;
            });
            UseOrleansBinaryStateFormat(silo.Services, storage);
        }

        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = prepared;
        });
        AdmitStorageExceptions(silo.Services);
        silo.Services.AddSingleton(_ => Npgsql.NpgsqlDataSource.Create(prepared));
        silo.Services.AddSingleton<IAuditStore, PostgresAuditStore>();
        silo.Services.AddSingleton<OrleansAgents.Grains.Workflows.ReadModel.IWorkflowReadModel, PostgresWorkflowReadModel>();
        silo.Services.AddSingleton<OrleansAgents.Grains.Tasks.ITaskLog, PostgresTaskLog>();
        return silo;
    }

    /// <summary>
    /// Grain state goes through the Orleans serializer, which keys types by [Alias] and fields by
    /// [Id], instead of the default Newtonsoft JSON with .NET type names: renaming a class or an
    /// assembly then does not orphan stored rows.
    /// </summary>
    public static void UseOrleansBinaryStateFormat(IServiceCollection services, string storageName) =>
        services.UseOrleansBinaryStateFormat<AdoNetGrainStorageOptions>(storageName);

    /// <summary>
    /// While PostgreSQL is down a grain call fails with an OrleansException holding the
    /// NpgsqlException. Orleans serializes only exceptions of admitted namespaces, so without this
    /// the reply itself fails (CodecNotFoundException) and the API answers 500 instead of the 503
    /// a client retries. The caller, without Npgsql, reads the inner one as Orleans' fallback type.
    /// </summary>
    public static void AdmitStorageExceptions(IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));

    public static WebApplication MapAgentsSiloEndpoints(this WebApplication app)
    {
        app.MapAgentsHealthEndpoints();
        app.MapMetrics("/metrics");
        if (app.Services.GetRequiredService<SiloSettings>().DashboardEnabled)
        {
            app.MapOrleansDashboard("/dashboard");
        }

        return app;
    }
}
