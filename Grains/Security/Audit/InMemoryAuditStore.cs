namespace OrleansAgents.Grains.Security.Audit;

/// <summary>
/// The audit log in process memory, bounded to the newest <see cref="Capacity"/> entries. Not
/// durable and per silo: fine for the embedded mode and tests; durable silos use PostgreSQL.
/// </summary>
public sealed class InMemoryAuditStore(TimeProvider time, int capacity = InMemoryAuditStore.DefaultCapacity) : IAuditStore
{
    public const int DefaultCapacity = 10_000;

    // Every activation of the stateless audit grain on this silo shares this instance; the lock
    // only guards a few list operations, never an await.
    private readonly Lock _gate = new();
    private readonly LinkedList<AuditEntry> _newestFirst = new();
    private long _lastId;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var stored = AuditRules.Normalize(entry) with { Id = ++_lastId, At = time.GetUtcNow() };
            _newestFirst.AddFirst(stored);
            if (_newestFirst.Count > Capacity)
            {
                _newestFirst.RemoveLast();
            }

            return Task.FromResult(stored);
        }
    }

    public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var limit = Math.Clamp(query.Limit, 1, AuditRules.MaxPageSize);
        var items = new List<AuditEntry>(limit);
        var more = false;
        lock (_gate)
        {
            foreach (var entry in _newestFirst)
            {
                if (!Matches(entry, query))
                {
                    continue;
                }

                if (items.Count == limit)
                {
                    more = true;
                    break;
                }

                items.Add(entry);
            }
        }

        return Task.FromResult(new AuditPage(items, more ? items[^1].Id : null));
    }

    private static bool Matches(AuditEntry entry, AuditQuery query) =>
        (query.BeforeId is not { } before || entry.Id < before)
        && (query.Actor is null || string.Equals(entry.Actor, query.Actor, StringComparison.Ordinal))
        && (query.Action is null || string.Equals(entry.Action, query.Action, StringComparison.Ordinal))
        && (query.From is not { } from || entry.At >= from)
        && (query.To is not { } to || entry.At < to);
}
