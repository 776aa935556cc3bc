using Npgsql;
using Orleans.TestingHost;

namespace OrleansAgents.Tests.Infrastructure;

/// <summary>
/// A crash test on real storage: a fresh database (with the test's own tables), two silos on it
/// (<see cref="PostgresCluster"/>), and the means to kill the silo hosting a grain and wait for
/// the cluster to recover. Settings get <c>CrashTest:Postgres</c>, the database's connection
/// string, for test skills that record effects.
/// </summary>
public abstract class PostgresCrashTest : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = null!;

    protected InProcessTestCluster Cluster { get; private set; } = null!;

    protected IClusterClient Client => Cluster.Client;

    /// <summary>SQL creating the test's own tables, run before the silos start.</summary>
    protected virtual string Schema => "";

    protected abstract IReadOnlyDictionary<string, string> Settings { get; }

    protected abstract void ConfigureSilo(ISiloBuilder silo);

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        if (Schema.Length > 0)
        {
            await using var connection = new NpgsqlConnection(Db.ConnectionString);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand(Schema, connection);
            await create.ExecuteNonQueryAsync();
        }

        Cluster = PostgresCluster.Build(Db, new Dictionary<string, string>(Settings) { ["CrashTest:Postgres"] = Db.ConnectionString }, ConfigureSilo);
        await Cluster.DeployAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>Kills the silo hosting the grain's activation and returns its address.</summary>
    protected async Task<SiloAddress> KillHostOfAsync(IAddressable grain)
    {
        var host = await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain)
            ?? throw new InvalidOperationException($"{grain.GetGrainId()} has no activation to kill.");
        await Cluster.KillSiloAsync(Cluster.GetActiveSilos().Single(s => s.SiloAddress.Equals(host)));
        return host;
    }

    /// <summary>Polls until the condition holds; calls that fail while a dead silo is not yet declared dead count as "not yet".</summary>
    protected static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null) =>
        Eventually.HoldsAsync(condition, "the cluster to recover", within, tolerateFailures: true);
}
