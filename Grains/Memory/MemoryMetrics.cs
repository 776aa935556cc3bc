using System.Diagnostics.Metrics;

namespace OrleansAgents.Grains.Memory;

/// <summary>
/// Exported as <c>orleansagents_memory_entries_written</c>, <c>orleansagents_memory_bytes_written</c>,
/// <c>orleansagents_memory_quota_rejections{reason}</c> (entries, bytes, entry_size) and
/// <c>orleansagents_memory_expired_removed</c>: monotonic per silo, sum over silos and take rate().
/// Every series is reported from the start (at 0), so dashboards and alerts see them before the first event.
/// </summary>
public sealed class MemoryMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Memory";

    private readonly Meter _meter;
    private long _entriesWritten;
    private long _bytesWritten;
    private long _expiredRemoved;
    private readonly long[] _rejections = new long[3];

    public MemoryMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("entries_written", () => Interlocked.Read(ref _entriesWritten), "{entry}", "Memory entries created or replaced.");
        _meter.CreateObservableCounter("bytes_written", () => Interlocked.Read(ref _bytesWritten), "{byte}", "Bytes of memory entries written (key, value and tags).");
        _meter.CreateObservableCounter("quota_rejections", ObserveRejections, "{write}", "Memory writes refused by a quota, by reason (entries, bytes, entry_size).");
        _meter.CreateObservableCounter("expired_removed", () => Interlocked.Read(ref _expiredRemoved), "{entry}", "Expired memory entries physically removed.");
    }

    public void Written(int sizeBytes)
    {
        Interlocked.Increment(ref _entriesWritten);
        Interlocked.Add(ref _bytesWritten, sizeBytes);
    }

    public void Rejected(MemoryQuota reason) => Interlocked.Increment(ref _rejections[(int)reason]);

    public void ExpiredRemoved(int count) => Interlocked.Add(ref _expiredRemoved, count);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveRejections()
    {
        yield return Rejections(MemoryQuota.Entries, "entries");
        yield return Rejections(MemoryQuota.Bytes, "bytes");
        yield return Rejections(MemoryQuota.EntrySize, "entry_size");
    }

    private Measurement<long> Rejections(MemoryQuota reason, string label) =>
        new(Interlocked.Read(ref _rejections[(int)reason]), new KeyValuePair<string, object?>("reason", label));
}

public enum MemoryQuota
{
    Entries = 0,
    Bytes = 1,
    EntrySize = 2,
}
