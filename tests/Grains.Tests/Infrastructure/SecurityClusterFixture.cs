using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Security;

/// <summary>The registry cluster with a short lockout and session lifetime, and access to the security storage.</summary>
public sealed class SecurityClusterFixture : RegistryClusterFixture
{
    public const int MaxFailures = 3;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(1);
    public const int RotatedSecretsKept = 5;
    public const int MaxSessionsPerUser = 3;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Security:Lockout:MaxFailures"] = "3",
        ["Security:Lockout:Duration"] = "00:10:00",
        ["Security:RefreshTokenLifetime"] = "1.00:00:00",
        ["Security:RotatedSecretsKept"] = "5",
        ["Security:MaxSessionsPerUser"] = "3",
    };

    /// <summary>What storage holds for a grain's state, read past the grain.</summary>
    public async Task<T> StoredAsync<T>(string stateName, GrainId grainId)
        where T : new()
    {
        var state = new GrainState<T>(new T());
        await Storage.ReadStateAsync(stateName, grainId, state);
        return state.State ?? new T();
    }

    /// <summary>Writes a grain's state past the grain; only for grains that are not active.</summary>
    public async Task StoreAsync<T>(string stateName, GrainId grainId, T value)
    {
        var state = new GrainState<T>(value);
        await Storage.WriteStateAsync(stateName, grainId, state);
    }

    private IGrainStorage Storage => Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Security);
}
