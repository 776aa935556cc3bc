using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Agents;

/// <summary>Settings of the agent registry, section <c>Agents</c>.</summary>
public sealed class AgentRegistryOptions
{
    public const string Section = "Agents";

    /// <summary>An agent whose last heartbeat is older than this is unhealthy.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Heartbeats closer together than this are kept in memory only; the stored heartbeat time
    /// and the directory's copy may lag by at most this much. Must be below HeartbeatTimeout.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan HeartbeatSyncInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often each directory shard republishes its per-status counts to /metrics.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most candidates one list request examines when a status filter discards many.</summary>
    [Range(AgentRules.MaxPageSize, int.MaxValue)]
    public int ListScanBudget { get; set; } = 1000;
}

/// <summary>
/// Generated from the data annotations above; the one cross-field rule (the sync runs more often than
/// the timeout it protects) is added by hand where the options are registered.
/// </summary>
[OptionsValidator]
internal sealed partial class AgentRegistryOptionsValidator : IValidateOptions<AgentRegistryOptions>
{
}
