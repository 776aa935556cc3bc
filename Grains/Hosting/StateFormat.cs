using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansAgents.Grains.Hosting;

public static class StateFormat
{
    /// <summary>
    /// Grain state goes through the Orleans serializer, which keys types by [Alias] and fields by
    /// [Id], instead of the default Newtonsoft JSON with .NET type names: renaming a class or an
    /// assembly then does not orphan stored rows, and it costs a fraction of the CPU. Every host
    /// uses it for every provider (PostgreSQL in silos, memory in the embedded mode and tests).
    /// </summary>
    public static IServiceCollection UseOrleansBinaryStateFormat<TOptions>(this IServiceCollection services, string storageName)
        where TOptions : class, IStorageProviderSerializerOptions
    {
        services.AddOptions<TOptions>(storageName)
            .Configure<IServiceProvider>((o, sp) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()));
        return services;
    }
}
