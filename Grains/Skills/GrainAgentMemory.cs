using System.Text.Json;
using OrleansAgents.Memory;

namespace OrleansAgents.Grains.Skills;

/// <summary>A skill's view of one agent's memory grain.</summary>
public sealed class GrainAgentMemory(IGrainFactory grains, string agentId) : IAgentMemory
{
    private IAgentMemoryGrain Grain => grains.GetGrain<IAgentMemoryGrain>(agentId);

    public async ValueTask<JsonElement?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var entry = await Grain.GetAsync(key).AsTask().WaitAsync(cancellationToken);
        return entry is null ? null : JsonDocument.Parse(entry.ValueJson).RootElement.Clone();
    }

    public async ValueTask SetAsync(string key, JsonElement value, IReadOnlyList<string>? tags = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) =>
        await Grain.PutAsync(key, new MemoryWrite(value.GetRawText(), tags ?? [], timeToLive)).WaitAsync(cancellationToken);

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        await Grain.DeleteAsync(key).WaitAsync(cancellationToken);
}
