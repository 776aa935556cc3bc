namespace OrleansAgents.Memory;

/// <summary>
/// One agent's memory (key: agent id): key/value entries with tags and an optional time to live,
/// within a per-agent quota of entries and bytes. Expired entries are invisible at once and
/// removed by a periodic cleanup.
/// </summary>
[Alias("OrleansAgents.IAgentMemoryGrain")]
public interface IAgentMemoryGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces an entry. Fails with a quota code when it would not fit.</summary>
    [Alias("Put")]
    Task<MemoryEntryView> PutAsync(string key, MemoryWrite write);

    /// <summary>The entry, or null when it does not exist or has expired.</summary>
    [Alias("Get")]
    ValueTask<MemoryEntryView?> GetAsync(string key);

    /// <summary>Removes the entry; false when there was none.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string key);

    /// <summary>Entries in ascending key order, filtered by key prefix and/or tag.</summary>
    [Alias("List")]
    ValueTask<MemoryPage> ListAsync(MemoryQuery query);

    [Alias("Usage")]
    ValueTask<MemoryUsage> GetUsageAsync();
}

/// <summary>A write: the value as JSON text, its tags and an optional time to live.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.MemoryWrite")]
public sealed record class MemoryWrite(
    [property: Id(0)] string ValueJson,
    [property: Id(1)] IReadOnlyList<string> Tags,
    [property: Id(2)] TimeSpan? TimeToLive);

[GenerateSerializer, Immutable, Alias("OrleansAgents.MemoryEntryView")]
public sealed record class MemoryEntryView(
    [property: Id(0)] string Key,
    [property: Id(1)] string ValueJson,
    [property: Id(2)] IReadOnlyList<string> Tags,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] int SizeBytes,
    [property: Id(7)] long Version);

[GenerateSerializer, Immutable, Alias("OrleansAgents.MemoryQuery")]
public sealed record class MemoryQuery(
    [property: Id(0)] string? Prefix,
    [property: Id(1)] string? Tag,
    [property: Id(2)] int Limit,
    [property: Id(3)] string? After);

[GenerateSerializer, Immutable, Alias("OrleansAgents.MemoryPage")]
public sealed record class MemoryPage(
    [property: Id(0)] IReadOnlyList<MemoryEntryView> Items,
    [property: Id(1)] string? NextCursor);

[GenerateSerializer, Immutable, Alias("OrleansAgents.MemoryUsage")]
public sealed record class MemoryUsage(
    [property: Id(0)] int Entries,
    [property: Id(1)] long Bytes,
    [property: Id(2)] int MaxEntries,
    [property: Id(3)] long MaxBytes);
