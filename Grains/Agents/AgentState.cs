namespace OrleansAgents.Grains.Agents;

/// <summary>
/// Stored with the Orleans binary serializer: field ids and the alias are the format, so never
/// renumber an [Id] or change the alias; add fields with new ids.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.AgentState.v1")]
public sealed class AgentState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public List<string> Capabilities { get; set; } = [];
    [Id(4)] public int MaxConcurrentTasks { get; set; }
    [Id(5)] public Dictionary<string, string> Metadata { get; set; } = [];
    [Id(6)] public int ActiveTasks { get; set; }
    [Id(7)] public DateTimeOffset RegisteredAt { get; set; }
    [Id(8)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(9)] public DateTimeOffset LastHeartbeatAt { get; set; }
    [Id(10)] public DateTimeOffset? RetiredAt { get; set; }
    [Id(11)] public long Version { get; set; }

    /// <summary>The Version the capability indexes and the directory reflect.</summary>
    [Id(12)] public long IndexedVersion { get; set; }
}
