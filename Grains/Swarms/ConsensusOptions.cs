using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Settings of swarm consensus rounds, section <c>Swarms</c> (shared with the other swarm features).</summary>
public sealed class ConsensusOptions
{
    public const string Section = "Swarms";

    /// <summary>Most agents one round may ask (at most <see cref="ConsensusRules.MaxAgentsLimit"/>).</summary>
    [Range(1, ConsensusRules.MaxAgentsLimit)]
    public int MaxConsensusAgents { get; set; } = 25;

    public TimeSpan ConsensusDefaultDeadline { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan ConsensusMinDeadline { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ConsensusMaxDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Period of an unfinished round's reminder, which polls lost tasks and enforces the deadline after a crash.</summary>
    [Range(typeof(TimeSpan), "00:00:01", OptionBounds.MaxTimeSpan)]
    public TimeSpan ConsensusReminderInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Eligible agents the round reads from the router before ranking them by trust.</summary>
    public int ConsensusCandidateScan { get; set; } = 200;
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="CrossFieldFailures"/> (the deadlines' order,
/// the candidate scan against the agent cap) is added in <c>AddConsensus</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class ConsensusOptionsValidator : IValidateOptions<ConsensusOptions>
{
    internal static IEnumerable<string> CrossFieldFailures(ConsensusOptions o)
    {
        if (o.ConsensusMaxDeadline < o.ConsensusMinDeadline
            || o.ConsensusDefaultDeadline < o.ConsensusMinDeadline || o.ConsensusDefaultDeadline > o.ConsensusMaxDeadline)
        {
            yield return $"{ConsensusOptions.Section}: need 0 < ConsensusMinDeadline ≤ ConsensusDefaultDeadline ≤ ConsensusMaxDeadline.";
        }

        if (o.ConsensusCandidateScan < o.MaxConsensusAgents)
        {
            yield return $"{ConsensusOptions.Section}:ConsensusCandidateScan must be at least MaxConsensusAgents.";
        }
    }
}
