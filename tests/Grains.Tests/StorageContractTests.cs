using Npgsql;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests;

/// <summary>
/// The query texts in OrleansQuery, called the way the Orleans ADO.NET storage provider calls
/// them, so a mistake in the migration shows up as a failed assertion here rather than as lost
/// writes in production.
/// </summary>
public sealed class StorageContractTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task WriteToStorage_EnforcesVersions_LikeAnETag()
    {
        Assert.Equal(1, await WriteAsync(version: null, payload: [1]));
        Assert.Null(await WriteAsync(version: null, payload: [2]));   // a second first-write loses
        Assert.Equal(2, await WriteAsync(version: 1, payload: [3]));
        Assert.Null(await WriteAsync(version: 1, payload: [4]));      // stale version loses

        var (payload, version) = await ReadAsync();
        Assert.Equal([3], payload);
        Assert.Equal(2, version);
    }

    [Fact]
    public async Task ClearAndDelete_RequireTheCurrentVersion()
    {
        await WriteAsync(version: null, payload: [9]);
        Assert.Null(await RunVersionedAsync("ClearStorageKey", version: 7));
        Assert.Equal(2, await RunVersionedAsync("ClearStorageKey", version: 1));
        Assert.Null((await ReadAsync()).Payload);

        Assert.Equal(3, await RunVersionedAsync("DeleteStorageKey", version: 2));
        Assert.Null((await ReadAsync()).Version);
    }

    [Fact]
    public async Task Keys_WithAndWithoutExtension_AreDifferentRows()
    {
        Assert.Equal(1, await WriteAsync(version: null, payload: [1], extension: null));
        Assert.Equal(1, await WriteAsync(version: null, payload: [2], extension: "ext"));
        Assert.Equal([1], (await ReadAsync(extension: null)).Payload);
        Assert.Equal([2], (await ReadAsync(extension: "ext")).Payload);
    }

    private async Task<string> QueryAsync(string key) =>
        (await _db.ScalarAsync<string>($"SELECT QueryText FROM OrleansQuery WHERE QueryKey = '{key}'"))!;

    private static void AddKey(NpgsqlCommand command, string? extension)
    {
        command.Parameters.AddWithValue("GrainIdHash", 42);
        command.Parameters.AddWithValue("GrainIdN0", 0L);
        command.Parameters.AddWithValue("GrainIdN1", 0L);
        command.Parameters.AddWithValue("GrainTypeHash", 7);
        command.Parameters.AddWithValue("GrainTypeString", "agent");
        command.Parameters.Add(new NpgsqlParameter("GrainIdExtensionString", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)extension ?? DBNull.Value });
        command.Parameters.AddWithValue("ServiceId", "svc");
    }

    private async Task<int?> WriteAsync(int? version, byte[] payload, string? extension = null)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(await QueryAsync("WriteToStorageKey"), connection);
        AddKey(command, extension);
        command.Parameters.Add(new NpgsqlParameter("GrainStateVersion", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)version ?? DBNull.Value });
        command.Parameters.AddWithValue("PayloadBinary", payload);
        return await command.ExecuteScalarAsync() is int v ? v : null;
    }

    private async Task<int?> RunVersionedAsync(string key, int version)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(await QueryAsync(key), connection);
        AddKey(command, null);
        command.Parameters.AddWithValue("GrainStateVersion", version);
        return await command.ExecuteScalarAsync() is int v ? v : null;
    }

    private async Task<(byte[]? Payload, int? Version)> ReadAsync(string? extension = null)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(await QueryAsync("ReadFromStorageKey"), connection);
        AddKey(command, extension);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return (null, null);
        }

        var payload = reader.IsDBNull(reader.GetOrdinal("PayloadBinary")) ? null : (byte[])reader["PayloadBinary"];
        return (payload, reader.GetInt32(reader.GetOrdinal("Version")));
    }
}
