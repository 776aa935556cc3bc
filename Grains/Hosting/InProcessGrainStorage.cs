using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// Grain state in a dictionary of the silo's own process, for the embedded mode's single silo.
/// Orleans' memory storage keeps state in storage grains, so every read and write is a grain call
/// (a message, a copy, a turn of the storage grain) and, while the silo stops, a grain that stores on
/// deactivation fails to reach a storage grain already gone and logs errors. Nothing maintained
/// keeps in-memory state without grains, hence this class: same contract as the memory storage
/// (serialized copies, ETag checks, a cleared record remembered as deleted and its state reset), no grain in between.
/// Only for one silo: another silo would see a dictionary of its own.
/// </summary>
public sealed class InProcessGrainStorage(IGrainStorageSerializer serializer) : IGrainStorage
{
    private const string AnyETag = "*";

    // Null data: a cleared record (its ETag is "", as Orleans' memory storage remembers one).
    private sealed record Entry(BinaryData? Data, string ETag);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _nextETag;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_entries.TryGetValue(Key(stateName, grainId), out var entry) && entry.Data is { } data)
        {
            grainState.State = serializer.Deserialize<T>(data) ?? Activator.CreateInstance<T>();
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = serializer.Serialize(grainState.State);
        var eTag = Interlocked.Increment(ref _nextETag).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Replace(Key(stateName, grainId), grainState.ETag, new Entry(data, eTag));
        grainState.ETag = eTag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Replace(Key(stateName, grainId), grainState.ETag, new Entry(null, ""));
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>(); // as the ADO.NET and other providers do
        return Task.CompletedTask;
    }

    /// <summary>Registers it under every name a grain stores state with.</summary>
    public static void AddTo(IServiceCollection services, IEnumerable<string> storageNames)
    {
        foreach (var name in storageNames)
        {
            services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) =>
                new InProcessGrainStorage(new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())));
        }
    }

    private static string Key(string stateName, GrainId grainId) => stateName + "/" + grainId;

    /// <summary>Stores <paramref name="next"/> if <paramref name="expected"/> is the stored ETag (compare and swap, retried on a race).</summary>
    private void Replace(string key, string? expected, Entry next)
    {
        while (true)
        {
            if (!_entries.TryGetValue(key, out var current))
            {
                // Never stored: any ETag is accepted, as by the memory storage.
                if (_entries.TryAdd(key, next))
                {
                    return;
                }

                continue;
            }

            var matches = expected == current.ETag || expected == AnyETag || (current.Data is null && expected is null);
            if (!matches)
            {
                throw new InconsistentStateException(
                    $"ETag mismatch for '{key}': stored {current.ETag}, the grain had {expected ?? "none"}.", current.ETag, expected ?? "");
            }

            if (_entries.TryUpdate(key, next, current))
            {
                return;
            }
        }
    }
}
