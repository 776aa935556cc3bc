using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Memory;

/// <summary>
/// One agent's memory. Every change is written before the call returns; a rejected write changes
/// nothing. Expired entries are filtered out of every read at once and physically removed by the
/// next accepted write or by the cleanup reminder, which exists only while entries with a TTL do.
/// </summary>
public sealed partial class AgentMemoryGrain(
    [PersistentState("memory", StorageNames.Memory)] IPersistentState<AgentMemoryState> state,
    IOptions<MemoryOptions> options,
    MemoryMetrics metrics,
    TimeProvider time,
    ILogger<AgentMemoryGrain> logger) : Grain, IAgentMemoryGrain, IRemindable
{
    public const string CleanupReminder = "memory-cleanup";

    private readonly MemoryOptions _options = options.Value;
    private readonly MemoryEntries _entries = new(state);
    private IGrainReminder? _cleanup;

    // Registration is permanent, so one positive answer per activation is enough for reads.
    private bool _agentKnown;

    private string AgentId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _entries.Rebuild();
        _agentKnown = state.State.Entries.Count > 0;
        if (_entries.Expiring > 0)
        {
            // Look before registering: re-registering would push the next cleanup a full interval away.
            await SyncCleanupReminderAsync(lookUpFirst: true);
        }
    }

    public async Task<MemoryEntryView> PutAsync(string key, MemoryWrite write)
    {
        RequireValidAgentId();
        var normalized = MemoryValidation.Normalize(key, write, _options);
        if (normalized.SizeBytes > _options.MaxEntryBytes)
        {
            throw Rejected(MemoryQuota.EntrySize, ErrorCodes.MemoryEntryTooLarge, DomainErrorKind.TooLarge,
                $"The entry is {normalized.SizeBytes} bytes (key, value and tags); the limit is {_options.MaxEntryBytes}.");
        }

        await RequireLiveAgentAsync();
        var now = time.GetUtcNow();
        var previous = _entries.Live(key, now);
        var (count, bytes) = _entries.Usage(now);
        if (previous is null && count + 1 > _options.MaxEntries)
        {
            throw Rejected(MemoryQuota.Entries, ErrorCodes.MemoryQuotaEntries, DomainErrorKind.Conflict,
                $"Agent '{AgentId}' already holds {count} entries, the most it may; delete some or replace existing keys.");
        }

        var newBytes = bytes - (previous?.SizeBytes ?? 0) + normalized.SizeBytes;
        if (newBytes > _options.MaxBytes)
        {
            throw Rejected(MemoryQuota.Bytes, ErrorCodes.MemoryQuotaBytes, DomainErrorKind.TooLarge,
                $"Agent '{AgentId}' would hold {newBytes} bytes of memory; the limit is {_options.MaxBytes}.");
        }

        // Accepted: drop what has expired (it costs quota nobody can see) and store the entry.
        var removed = _entries.RemoveExpired(now);
        var entry = new MemoryEntry
        {
            ValueJson = normalized.ValueJson,
            Tags = normalized.Tags,
            CreatedAt = previous?.CreatedAt ?? now,
            UpdatedAt = now,
            ExpiresAt = now + normalized.TimeToLive,
            SizeBytes = normalized.SizeBytes,
            Version = (previous?.Version ?? 0) + 1,
        };
        _entries.Set(key, entry);
        await state.SaveOrDeactivateAsync(this);
        metrics.Written(entry.SizeBytes);
        metrics.ExpiredRemoved(removed);
        await SyncCleanupReminderAsync();
        return View(key, entry);
    }

    public async ValueTask<MemoryEntryView?> GetAsync(string key)
    {
        RequireValidAgentId();
        MemoryValidation.RequireValidKey(key);
        await RequireKnownAgentAsync();
        return _entries.Live(key, time.GetUtcNow()) is { } entry ? View(key, entry) : null;
    }

    public async Task<bool> DeleteAsync(string key)
    {
        RequireValidAgentId();
        MemoryValidation.RequireValidKey(key);
        await RequireLiveAgentAsync();
        if (_entries.Live(key, time.GetUtcNow()) is null)
        {
            return false;
        }

        _entries.Remove(key);
        await state.SaveOrDeactivateAsync(this);
        await SyncCleanupReminderAsync();
        return true;
    }

    public async ValueTask<MemoryPage> ListAsync(MemoryQuery query)
    {
        RequireValidAgentId();
        MemoryValidation.RequireValidQuery(query);
        await RequireKnownAgentAsync();
        var (keys, more) = _entries.Page(query, time.GetUtcNow());
        var items = keys.Select(k => View(k, state.State.Entries[k])).ToArray();
        return new MemoryPage(items, more ? keys[^1] : null);
    }

    public async ValueTask<MemoryUsage> GetUsageAsync()
    {
        RequireValidAgentId();
        await RequireKnownAgentAsync();
        var (count, bytes) = _entries.Usage(time.GetUtcNow());
        return new MemoryUsage(count, bytes, _options.MaxEntries, _options.MaxBytes);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != CleanupReminder)
        {
            return;
        }

        var removed = _entries.RemoveExpired(time.GetUtcNow());
        if (removed > 0)
        {
            await state.SaveOrDeactivateAsync(this);
            metrics.ExpiredRemoved(removed);
            LogCleaned(AgentId, removed);
        }

        // A reminder left over from an earlier activation is unregistered here too.
        await SyncCleanupReminderAsync(lookUpFirst: true);
    }

    /// <summary>The reminder exists exactly while entries with a TTL do. A failure here never fails the call.</summary>
    private async Task SyncCleanupReminderAsync(bool lookUpFirst = false)
    {
        try
        {
            if (lookUpFirst)
            {
                _cleanup ??= await this.GetReminder(CleanupReminder);
            }

            if (_entries.Expiring > 0 && _cleanup is null)
            {
                _cleanup = await this.RegisterOrUpdateReminder(CleanupReminder, _options.CleanupInterval, _options.CleanupInterval);
            }
            else if (_entries.Expiring == 0 && _cleanup is not null)
            {
                await this.UnregisterReminder(_cleanup);
                _cleanup = null;
            }
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            // Expired entries stay invisible; the next write or activation tries again.
            LogReminderFailed(ex, AgentId);
        }
    }

    private void RequireValidAgentId()
    {
        if (!AgentRules.IsValidId(AgentId))
        {
            throw new DomainException(ErrorCodes.AgentInvalidId, $"Agent id must match {AgentRules.IdPattern}.");
        }
    }

    private async ValueTask RequireKnownAgentAsync()
    {
        if (!_agentKnown)
        {
            _ = await GetAgentAsync();
        }
    }

    private async Task RequireLiveAgentAsync()
    {
        var agent = await GetAgentAsync();
        if (agent.RetiredAt is not null)
        {
            throw new DomainException(ErrorCodes.AgentRetired, $"Agent '{AgentId}' is retired; its memory can be read but not changed.", DomainErrorKind.Conflict);
        }
    }

    private async Task<AgentView> GetAgentAsync()
    {
        var agent = await GrainFactory.GetGrain<IAgentGrain>(AgentId).GetAsync()
            ?? throw new DomainException(ErrorCodes.AgentNotFound, $"Agent '{AgentId}' is not registered.", DomainErrorKind.NotFound);
        _agentKnown = true;
        return agent;
    }

    private DomainException Rejected(MemoryQuota quota, string code, DomainErrorKind kind, string message)
    {
        metrics.Rejected(quota);
        LogRejected(AgentId, code);
        return new DomainException(code, message, kind);
    }

    private static MemoryEntryView View(string key, MemoryEntry e) =>
        new(key, e.ValueJson, e.Tags.ToArray(), e.CreatedAt, e.UpdatedAt, e.ExpiresAt, e.SizeBytes, e.Version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory of agent {AgentId}: removed {Count} expired entries")]
    private partial void LogCleaned(string agentId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Memory of agent {AgentId}: write refused with {Code}")]
    private partial void LogRejected(string agentId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory of agent {AgentId}: could not update the cleanup reminder")]
    private partial void LogReminderFailed(Exception exception, string agentId);
}
