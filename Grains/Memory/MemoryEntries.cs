using OrleansAgents.Grains.Agents;

namespace OrleansAgents.Grains.Memory;

/// <summary>
/// The bookkeeping over a memory state: keys in ordinal order for listing, the byte total and the
/// number of entries with a TTL (zero means no scan for expired entries is ever needed).
/// </summary>
internal sealed class MemoryEntries(IPersistentState<AgentMemoryState> state)
{
    private readonly List<string> _keys = [];

    private AgentMemoryState S => state.State;

    public int Expiring { get; private set; }

    public void Rebuild()
    {
        _keys.Clear();
        _keys.AddRange(S.Entries.Keys.Order(StringComparer.Ordinal));
        Expiring = S.Entries.Values.Count(e => e.ExpiresAt is not null);
    }

    public MemoryEntry? Live(string key, DateTimeOffset now) =>
        S.Entries.TryGetValue(key, out var entry) && !entry.IsExpired(now) ? entry : null;

    /// <summary>Live entries and bytes: what the quota is checked against and what callers see.</summary>
    public (int Count, long Bytes) Usage(DateTimeOffset now)
    {
        var (count, bytes) = (S.Entries.Count, S.Bytes);
        if (Expiring > 0)
        {
            foreach (var entry in S.Entries.Values.Where(e => e.IsExpired(now)))
            {
                count--;
                bytes -= entry.SizeBytes;
            }
        }

        return (count, bytes);
    }

    public void Set(string key, MemoryEntry entry)
    {
        Remove(key);
        S.Entries[key] = entry;
        S.Bytes += entry.SizeBytes;
        SortedIds.Insert(_keys, key);
        Expiring += entry.ExpiresAt is null ? 0 : 1;
    }

    public bool Remove(string key)
    {
        if (!S.Entries.Remove(key, out var entry))
        {
            return false;
        }

        S.Bytes -= entry.SizeBytes;
        SortedIds.Remove(_keys, key);
        Expiring -= entry.ExpiresAt is null ? 0 : 1;
        return true;
    }

    public int RemoveExpired(DateTimeOffset now)
    {
        if (Expiring == 0)
        {
            return 0;
        }

        var expired = S.Entries.Where(e => e.Value.IsExpired(now)).Select(e => e.Key).ToList();
        expired.ForEach(k => Remove(k));
        return expired.Count;
    }

    /// <summary>Up to <c>Limit</c> live matching keys after <c>After</c>, and whether more follow.</summary>
    public (List<string> Keys, bool More) Page(MemoryQuery query, DateTimeOffset now)
    {
        var start = 0;
        var from = query.After;
        if (query.Prefix is not null && (from is null || string.CompareOrdinal(query.Prefix, from) > 0))
        {
            // Nothing before the prefix can match; start at it (inclusive).
            var at = _keys.BinarySearch(query.Prefix, StringComparer.Ordinal);
            start = at >= 0 ? at : ~at;
        }
        else if (from is not null)
        {
            var at = _keys.BinarySearch(from, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        var page = new List<string>(query.Limit);
        for (var i = start; i < _keys.Count; i++)
        {
            var key = _keys[i];
            if (query.Prefix is not null && !key.StartsWith(query.Prefix, StringComparison.Ordinal))
            {
                break;
            }

            var entry = S.Entries[key];
            if (entry.IsExpired(now) || (query.Tag is not null && !entry.Tags.Contains(query.Tag, StringComparer.Ordinal)))
            {
                continue;
            }

            if (page.Count == query.Limit)
            {
                return (page, true);
            }

            page.Add(key);
        }

        return (page, false);
    }
}
