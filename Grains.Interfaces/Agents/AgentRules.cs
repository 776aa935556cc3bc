using System.Text.RegularExpressions;

namespace OrleansAgents.Agents;

/// <summary>
/// The published limits of the agent registry. They are part of the contract (clients see them
/// in error messages and docs), so they live beside the types rather than in options.
/// </summary>
public static partial class AgentRules
{
    public const string IdPattern = "^[a-z0-9][a-z0-9-_.]{0,63}$";
    public const int NameMaxLength = 128;
    public const int DescriptionMaxLength = 2048;
    public const int MaxCapabilities = 32;
    public const string CapabilityPattern = "^[a-z0-9][a-z0-9-_.:]{0,63}$";
    public const int MaxConcurrentTasksLimit = 1024;
    public const int MaxMetadataEntries = 32;
    public const int MetadataKeyMaxLength = 64;
    public const int MetadataValueMaxLength = 1024;
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    /// <summary>
    /// Number of directory shards. Changing it moves agents between shards, so it is fixed
    /// for the life of a database; 16 keeps each shard small up to ~100k agents.
    /// </summary>
    public const int DirectoryShards = 16;

    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdRegex().IsMatch(id);

    public static bool IsValidCapability([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? capability) =>
        capability is not null && CapabilityRegex().IsMatch(capability);

    /// <summary>Stable across processes and versions (FNV-1a), unlike string.GetHashCode.</summary>
    public static int DirectoryShardOf(string agentId)
    {
        uint hash = 2166136261;
        foreach (var c in agentId)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % DirectoryShards);
    }

    // Same as IdPattern, but \z instead of $ so that a trailing newline is not accepted.
    [GeneratedRegex("^[a-z0-9][a-z0-9-_.]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex("^[a-z0-9][a-z0-9-_.:]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CapabilityRegex();
}
