using Microsoft.Extensions.Options;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Settings of swarm consensus rounds, section <c>Swarms</c> (shared with the other swarm features).</summary>
public sealed class ConsensusOptions
{
    public const string Section = "Swarms";

    /// <summary>Most agents one round may ask (at most <see cref="ConsensusRules.MaxAgentsLimit"/>).</summary>
    public int MaxConsensusAgents { get; set; } = 25;

    public TimeSpan ConsensusDefaultDeadline { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConsensusMinDeadline { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ConsensusMaxDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Period of an unfinished round's reminder, which polls lost tasks and enforces the deadline after a crash.</summary>
    public TimeSpan ConsensusReminderInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Eligible agents the round reads from the router before ranking them by trust.</summary>
    public int ConsensusCandidateScan { get; set; } = 200;
}

internal sealed class ConsensusOptionsValidator : IValidateOptions<ConsensusOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsensusOptions o)
    {
        var errors = new List<string>();
        if (o.MaxConsensusAgents < 1 || o.MaxConsensusAgents > ConsensusRules.MaxAgentsLimit)
        {
            errors.Add($"{ConsensusOptions.Section}:MaxConsensusAgents must be 1–{ConsensusRules.MaxAgentsLimit} (was {o.MaxConsensusAgents}).");
        }

        if (o.ConsensusMinDeadline <= TimeSpan.Zero || o.ConsensusMaxDeadline < o.ConsensusMinDeadline
            || o.ConsensusDefaultDeadline < o.ConsensusMinDeadline || o.ConsensusDefaultDeadline > o.ConsensusMaxDeadline)
        {
            errors.Add($"{ConsensusOptions.Section}: need 0 < ConsensusMinDeadline ≤ ConsensusDefaultDeadline ≤ ConsensusMaxDeadline.");
        }

        if (o.ConsensusReminderInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{ConsensusOptions.Section}:ConsensusReminderInterval must be at least 1 second.");
        }

        if (o.ConsensusCandidateScan < o.MaxConsensusAgents)
        {
            errors.Add($"{ConsensusOptions.Section}:ConsensusCandidateScan must be at least MaxConsensusAgents.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
