using Orleans.Concurrency;

namespace OrleansAgents.Grains.Skills;

[StatelessWorker]
public sealed class SkillCatalogGrain(SkillRegistry registry) : Grain, ISkillCatalogGrain
{
    public ValueTask<IReadOnlyList<SkillInfo>> ListAsync() => ValueTask.FromResult(registry.Describe());
}
