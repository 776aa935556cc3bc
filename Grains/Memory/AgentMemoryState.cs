namespace OrleansAgents.Grains.Memory;

/// <summary>
/// One agent's memory, written on every change. <see cref="Bytes"/> is the sum of the entries'
/// sizes, kept so quota checks need no scan. Never renumber an [Id].
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.AgentMemoryState.v1")]
public sealed class AgentMemoryState
{
    [Id(0)] public Dictionary<string, MemoryEntry> Entries { get; set; } = [];
    [Id(1)] public long Bytes { get; set; }
}

[GenerateSerializer, Alias("OrleansAgents.MemoryEntry.v1")]
public sealed class MemoryEntry
{
    [Id(0)] public string ValueJson { get; set; } = "null";
    [Id(1)] public List<string> Tags { get; set; } = [];
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(5)] public int SizeBytes { get; set; }
    [Id(6)] public long Version { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt <= now;
}
