namespace OrleansAgents.Grains.Hosting;

/// <summary>Names of the grain storage providers the grains ask for.</summary>
public static class StorageNames
{
    /// <summary>Agent registry state: agents, capability indexes and directory shards.</summary>
    public const string Agents = "agents";
}
