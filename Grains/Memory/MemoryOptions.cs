using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Memory;

/// <summary>Settings of agent memory, section <c>Memory</c>: per-agent quotas, TTL ceiling and cleanup.</summary>
public sealed class MemoryOptions
{
    public const string Section = "Memory";

    // The whole memory of an agent is one grain state, written on every change: keep it bounded.

    /// <summary>Most live entries one agent may hold.</summary>
    [Range(1, 100_000)]
    public int MaxEntries { get; set; } = 1000;

    /// <summary>Most bytes (keys, values and tags, UTF-8) one agent may hold.</summary>
    [Range(typeof(long), "1", "67108864")]
    public long MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest single entry (key, value and tags, UTF-8).</summary>
    [Range(1, MemoryRules.EntryBytesLimit)]
    public int MaxEntryBytes { get; set; } = 64 * 1024;

    /// <summary>Longest time to live a write may ask for.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan MaxTimeToLive { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a grain holding entries with a TTL removes the expired ones (reminder period).</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="CrossFieldFailures"/> (an entry within the
/// agent's quota, the cleanup reminder within what Orleans allows) is added in <c>AddAgentMemory</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
{
    internal static IEnumerable<string> CrossFieldFailures(MemoryOptions o, IOptions<ReminderOptions> reminders)
    {
        if (o.MaxEntryBytes > o.MaxBytes)
        {
            yield return $"{MemoryOptions.Section}:MaxEntryBytes must be at most {MemoryOptions.Section}:MaxBytes (was {o.MaxEntryBytes} > {o.MaxBytes}).";
        }

        // Orleans refuses reminder periods below its minimum; fail at start rather than on the first TTL write.
        var minimum = reminders.Value.MinimumReminderPeriod;
        if (o.CleanupInterval < minimum)
        {
            yield return $"{MemoryOptions.Section}:CleanupInterval must be at least the Orleans minimum reminder period {minimum} (was {o.CleanupInterval}).";
        }
    }
}
