using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace OrleansAgents.Grains.Memory;

/// <summary>Settings of agent memory, section <c>Memory</c>: per-agent quotas, TTL ceiling and cleanup.</summary>
public sealed class MemoryOptions
{
    public const string Section = "Memory";

    /// <summary>Most live entries one agent may hold.</summary>
    public int MaxEntries { get; set; } = 1000;

    /// <summary>Most bytes (keys, values and tags, UTF-8) one agent may hold.</summary>
    public long MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest single entry (key, value and tags, UTF-8).</summary>
    public int MaxEntryBytes { get; set; } = 64 * 1024;

    /// <summary>Longest time to live a write may ask for.</summary>
    public TimeSpan MaxTimeToLive { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a grain holding entries with a TTL removes the expired ones (reminder period).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(6);
}

internal sealed class MemoryOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<MemoryOptions>
{
    // The whole memory of an agent is one grain state, written on every change: keep it bounded.
    private const int EntriesCeiling = 100_000;
    private const long BytesCeiling = 64L * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, MemoryOptions o)
    {
        var errors = new List<string>();
        if (o.MaxEntries < 1 || o.MaxEntries > EntriesCeiling)
        {
            errors.Add($"{MemoryOptions.Section}:MaxEntries must be between 1 and {EntriesCeiling} (was {o.MaxEntries}).");
        }

        if (o.MaxBytes < 1 || o.MaxBytes > BytesCeiling)
        {
            errors.Add($"{MemoryOptions.Section}:MaxBytes must be between 1 and {BytesCeiling} (was {o.MaxBytes}).");
        }

        if (o.MaxEntryBytes < 1 || o.MaxEntryBytes > MemoryRules.EntryBytesLimit || o.MaxEntryBytes > o.MaxBytes)
        {
            errors.Add($"{MemoryOptions.Section}:MaxEntryBytes must be between 1 and {MemoryRules.EntryBytesLimit} and at most {MemoryOptions.Section}:MaxBytes (was {o.MaxEntryBytes}).");
        }

        if (o.MaxTimeToLive <= TimeSpan.Zero)
        {
            errors.Add($"{MemoryOptions.Section}:MaxTimeToLive must be positive (was {o.MaxTimeToLive}).");
        }

        // Orleans refuses reminder periods below its minimum; fail at start rather than on the first TTL write.
        var minimum = reminders.Value.MinimumReminderPeriod;
        if (o.CleanupInterval < minimum || o.CleanupInterval <= TimeSpan.Zero)
        {
            errors.Add($"{MemoryOptions.Section}:CleanupInterval must be positive and at least the Orleans minimum reminder period {minimum} (was {o.CleanupInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
