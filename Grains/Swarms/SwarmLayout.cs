namespace OrleansAgents.Grains.Swarms;

/// <summary>How a swarm is cut into batch grains: ceil(size / ParticlesPerBatch) batches (at most MaxBatches), sizes differing by one at most.</summary>
public readonly record struct SwarmLayout(int Index, int First, int Count)
{
    public static IReadOnlyList<SwarmLayout> Of(int swarmSize, SwarmOptions options)
    {
        var batches = Math.Clamp((swarmSize + options.ParticlesPerBatch - 1) / options.ParticlesPerBatch, 1, options.MaxBatches);
        var layout = new SwarmLayout[batches];
        var first = 0;
        for (var b = 0; b < batches; b++)
        {
            var count = (swarmSize / batches) + (b < swarmSize % batches ? 1 : 0);
            layout[b] = new SwarmLayout(b, first, count);
            first += count;
        }

        return layout;
    }
}
