using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// A bounded window of recently seen event ids stored as a ring of 64-bit hashes in one byte
/// array, so that at-least-once deliveries are counted once. It lives in a grain's state: a hot
/// row is written many times a second, and 4,096 ids as strings made every write serialize and
/// copy thousands of objects (the largest CPU cost of a finished task in the Tasks bench). Two
/// different ids share a hash with a probability of about n²/2⁶⁵ per window (≈5·10⁻¹³ for 4,096),
/// which would count one rating as a repeat.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.EventIdWindow.v1")]
public sealed class EventIdWindow
{
    [NonSerialized] private HashSet<ulong>? _seen;

    /// <summary>Little-endian hashes; a ring once <see cref="Count"/> reaches <see cref="Capacity"/>.</summary>
    [Id(0)] public byte[] Hashes { get; set; } = [];

    [Id(1)] public int Count { get; set; }

    /// <summary>Where the next hash goes once the ring is full (the oldest entry).</summary>
    [Id(2)] public int Next { get; set; }

    [Id(3)] public int Capacity { get; set; }

    /// <summary>False when <paramref name="eventId"/> is in the window; else adds it, dropping the oldest beyond <paramref name="capacity"/> (0: remember nothing).</summary>
    public bool Remember(string eventId, int capacity)
    {
        if (capacity == 0)
        {
            return true;
        }

        if (capacity != Capacity)
        {
            Resize(capacity);
        }

        var seen = _seen ??= [.. Ordered()];
        var hash = XxHash64.HashToUInt64(MemoryMarshal.AsBytes(eventId.AsSpan()));
        if (!seen.Add(hash))
        {
            return false;
        }

        if (Count < Capacity)
        {
            if (Hashes.Length < (Count + 1) * sizeof(ulong))
            {
                // Doubling, so a row that sees few events stays small in storage.
                var grown = new byte[Math.Min(Capacity, Math.Max(16, Count * 2)) * sizeof(ulong)];
                Hashes.CopyTo(grown, 0);
                Hashes = grown;
            }

            Write(Count++, hash);
            Next = Count % Capacity;
        }
        else
        {
            seen.Remove(Read(Next));
            Write(Next, hash);
            Next = (Next + 1) % Capacity;
        }

        return true;
    }

    /// <summary>The hashes, oldest first.</summary>
    private IEnumerable<ulong> Ordered()
    {
        var start = Count < Capacity ? 0 : Next;
        for (var i = 0; i < Count; i++)
        {
            yield return Read((start + i) % Math.Max(Capacity, 1));
        }
    }

    /// <summary>A new capacity (the option changed): keeps the newest entries that fit.</summary>
    private void Resize(int capacity)
    {
        var kept = Ordered().ToArray()[Math.Max(0, Count - capacity)..];
        Hashes = new byte[Math.Max(kept.Length, Math.Min(capacity, 16)) * sizeof(ulong)];
        Capacity = capacity;
        Count = 0;
        foreach (var hash in kept)
        {
            Write(Count++, hash);
        }

        Next = Count % capacity;
        _seen = null;
    }

    private ulong Read(int index) => BinaryPrimitives.ReadUInt64LittleEndian(Hashes.AsSpan(index * sizeof(ulong)));

    private void Write(int index, ulong hash) => BinaryPrimitives.WriteUInt64LittleEndian(Hashes.AsSpan(index * sizeof(ulong)), hash);
}
