namespace OrleansAgents.Grains.Hosting;

/// <summary>Names of the grain storage providers the grains ask for.</summary>
public static class StorageNames
{
    /// <summary>Agent registry state: agents, capability indexes and directory shards.</summary>
    public const string Agents = "agents";

    /// <summary>Rate-limit buckets: written by checkpoint policy, not on every decision.</summary>
    public const string RateLimits = "ratelimits";

    /// <summary>Circuit breakers: written on transitions and manual actions only.</summary>
    public const string Breakers = "breakers";

    /// <summary>Tasks, agents' task queues and logs, dead letters: written on every state change.</summary>
    public const string Tasks = "tasks";

    /// <summary>Agent memory: written on every change.</summary>
    public const string Memory = "memory";

    /// <summary>Users, refresh-token families, the revocation list and API keys: written on every change.</summary>
    public const string Security = "security";

    /// <summary>Workflow definitions and runs: runs checkpoint after every step outcome.</summary>
    public const string Workflows = "workflows";

    /// <summary>Trust (local trust rows, global trust results) and swarms (consensus rounds, optimisations).</summary>
    public const string Collective = "collective";

    /// <summary>Every provider a host must configure.</summary>
    public static readonly IReadOnlyList<string> All = [Agents, RateLimits, Breakers, Tasks, Memory, Security, Workflows, Collective];
}
