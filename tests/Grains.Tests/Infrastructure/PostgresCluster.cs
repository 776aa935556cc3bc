using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Silo.Hosting;

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
            // Like a durable silo: both silos share the grain state, reminders and read models' tables.
            silo.UseAgentsPostgres(db.ConnectionString);
            silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
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
