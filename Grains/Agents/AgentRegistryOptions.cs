using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Agents;

/// <summary>Settings of the agent registry, section <c>Agents</c>.</summary>
public sealed class AgentRegistryOptions
{
    public const string Section = "Agents";

    /// <summary>An agent whose last heartbeat is older than this is unhealthy.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Heartbeats closer together than this are kept in memory only; the stored heartbeat time
    /// and the directory's copy may lag by at most this much. Must be below HeartbeatTimeout.
    /// </summary>
    public TimeSpan HeartbeatSyncInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often each directory shard republishes its per-status counts to /metrics.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most candidates one list request examines when a status filter discards many.</summary>
    public int ListScanBudget { get; set; } = 1000;
}

internal sealed class AgentRegistryOptionsValidator : IValidateOptions<AgentRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentRegistryOptions options)
    {
        var errors = new List<string>();
        if (options.HeartbeatTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{AgentRegistryOptions.Section}:HeartbeatTimeout must be positive (was {options.HeartbeatTimeout}).");
        }

        if (options.HeartbeatSyncInterval <= TimeSpan.Zero || options.HeartbeatSyncInterval >= options.HeartbeatTimeout)
        {
            errors.Add($"{AgentRegistryOptions.Section}:HeartbeatSyncInterval must be positive and below HeartbeatTimeout (was {options.HeartbeatSyncInterval}).");
        }

        if (options.MetricsInterval <= TimeSpan.Zero)
        {
            errors.Add($"{AgentRegistryOptions.Section}:MetricsInterval must be positive (was {options.MetricsInterval}).");
        }

        if (options.ListScanBudget < AgentRules.MaxPageSize)
        {
            errors.Add($"{AgentRegistryOptions.Section}:ListScanBudget must be at least {AgentRules.MaxPageSize} (was {options.ListScanBudget}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
