using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Workflows.ReadModel;
using OrleansAgents.Silo.Hosting;
using OrleansAgents.Silo.Storage;

namespace OrleansAgents.Tests.Infrastructure;

/// <summary>
/// Two in-process silos whose grain state and reminders are in a real PostgreSQL database, and
/// which declare a killed silo dead within a couple of seconds: for crash tests.
/// </summary>
public static class PostgresCluster
{
    public static InProcessTestCluster Build(TestDatabase db, IReadOnlyDictionary<string, string> settings, Action<ISiloBuilder> configureSilo)
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureHost(host =>
        {
            foreach (var (key, value) in settings)
            {
                host.Configuration[key] = value;
            }
        });
        builder.ConfigureSilo((_, silo) =>
        {
            foreach (var storage in StorageNames.All)
            {
                silo.AddAdoNetGrainStorage(storage, o =>
                {
                    o.Invariant = SiloHosting.NpgsqlInvariant;
                    o.ConnectionString = db.ConnectionString;
                });
                SiloHosting.UseOrleansBinaryStateFormat(silo.Services, storage);
            }

            // Like a durable silo: both silos share the workflow read model's and the task log's tables.
            silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(db.ConnectionString));
            silo.Services.AddSingleton<IWorkflowReadModel, PostgresWorkflowReadModel>();
            silo.Services.AddSingleton<OrleansAgents.Grains.Tasks.ITaskLog, PostgresTaskLog>();
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = SiloHosting.NpgsqlInvariant;
                o.ConnectionString = db.ConnectionString;
            });
            silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            SiloHosting.AdmitStorageExceptions(silo.Services);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // Declare a killed silo dead quickly so its grains can move.
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 1;
                o.NumVotesForDeathDeclaration = 1;
            });
            configureSilo(silo);
            silo.AddAgentsSilo();
        });
        return builder.Build();
    }
}
