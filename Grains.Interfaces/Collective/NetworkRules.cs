namespace OrleansAgents.Collective;

/// <summary>Published limits of the collaboration network.</summary>
public static class NetworkRules
{
    public const string DefaultNetwork = "default";

    /// <summary>Shards of the edge store; fixed for the life of a database (changing it strands edges).</summary>
    public const int Shards = 16;

    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    /// <summary>Shard of an edge: FNV-1a of its From id, stable across processes.</summary>
    public static int ShardOf(string from)
    {
        var hash = 2166136261u;
        foreach (var c in from)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Shards);
    }
}
