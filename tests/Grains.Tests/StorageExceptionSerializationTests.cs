using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using OrleansAgents.Silo.Hosting;

namespace OrleansAgents.Tests;

/// <summary>What a grain call answers while PostgreSQL is down must cross the wire (chaos suite, PostgreSQL restart).</summary>
public sealed class StorageExceptionSerializationTests
{
    private static Serializer Serializer(bool admitted)
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        if (admitted)
        {
            SiloHosting.AdmitStorageExceptions(services);
        }

        return services.BuildServiceProvider().GetRequiredService<Serializer>();
    }

    private static OrleansException StorageFailure() => new(
        "Error from storage provider AdoNetGrainStorage.task during ReadStateAsync",
        new NpgsqlException("Failed to connect to 127.0.0.1:5432"));

    [Fact]
    public void StorageFailure_WithoutAdmission_CannotBeSent()
    {
        // The reply failed to serialize, so the API saw CodecNotFoundException and answered 500.
        Assert.Throws<CodecNotFoundException>(() => Serializer(admitted: false).SerializeToArray<Exception>(StorageFailure()));
    }

    [Fact]
    public void StorageFailure_WithAdmission_ArrivesAsOrleansException()
    {
        var serializer = Serializer(admitted: true);

        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(StorageFailure()));

        // The API maps an OrleansException to 503 server.unavailable with Retry-After.
        Assert.IsType<OrleansException>(copy);
        Assert.Contains("Failed to connect", copy.InnerException!.Message);
    }
}
