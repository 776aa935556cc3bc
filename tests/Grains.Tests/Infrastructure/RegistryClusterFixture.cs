using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Grains.Workflows.ReadModel;

namespace OrleansAgents.Tests.Infrastructure;

/// <summary>Two in-process silos with in-memory storage and a hand-driven clock, for registry rules.</summary>
public class RegistryClusterFixture : IAsyncLifetime
{
    public ManualTimeProvider Clock { get; } = new();

    /// <summary>One read model both silos write and query, as they would share the PostgreSQL tables.</summary>
    public InMemoryWorkflowReadModel WorkflowReadModel { get; } = new();

    /// <summary>One task log both silos write and list, as they would share the PostgreSQL table.</summary>
    public InMemoryTaskLog TaskLog { get; } = new(Microsoft.Extensions.Options.Options.Create(new TaskOptions()));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>Configuration every silo of the fixture sees (subclasses add their own).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Extra silo services a subclass needs (test skills, fakes' addresses).</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureHost(host =>
        {
            foreach (var (key, value) in Settings)
            {
                host.Configuration[key] = value;
            }
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.AddSingleton<IWorkflowReadModel>(WorkflowReadModel);
            silo.Services.AddSingleton<ITaskLog>(TaskLog);
            foreach (var storage in StorageNames.All)
            {
                silo.AddMemoryGrainStorage(storage);
                silo.Services.UseOrleansBinaryStateFormat<Orleans.Configuration.MemoryGrainStorageOptions>(storage);
            }

            // Reminders drive periodic jobs and task recovery; tests may use periods down to a second.
            silo.UseInMemoryReminderService();
            silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            ConfigureSilo(silo);
            silo.AddAgentsSilo();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
