namespace OrleansAgents.Swarms;

/// <summary>
/// The coordinator of one optimisation (key: optimisation id, see <see cref="SwarmRules.IdPattern"/>).
/// It runs synchronous iterations as fan-outs to its particle batches, checkpoints every few
/// iterations and keeps a reminder while running, so a run resumes after a silo restart.
/// </summary>
[Alias("OrleansAgents.Swarms.IOptimizationGrain")]
public interface IOptimizationGrain : IGrainWithStringKey
{
    /// <summary>Validates, stores and starts the run; returns at once (the run goes on in the background).</summary>
    [Alias("Start")]
    Task<OptimizationView> StartAsync(OptimizationRequest request);

    [Alias("Get")]
    ValueTask<OptimizationView?> GetAsync();

    /// <summary>Stops a running optimisation, keeping its best so far; a finished one is returned unchanged.</summary>
    [Alias("Cancel")]
    Task<OptimizationView> CancelAsync();
}

/// <summary>A slice of one optimisation's swarm (key: <c>{optimisationId}/{batch}</c>); held in memory, the coordinator checkpoints it.</summary>
[Alias("OrleansAgents.Swarms.IParticleBatchGrain")]
public interface IParticleBatchGrain : IGrainWithStringKey
{
    /// <summary>A skill objective's iteration waits for its tasks; the run's own evaluation timeout applies inside.</summary>
    public const string SlowCallTimeout = "01:00:00";

    /// <summary>Creates the particles from their seeds and evaluates them (iteration 0).</summary>
    [Alias("Initialise"), ResponseTimeout(SlowCallTimeout)]
    Task<BatchReport> InitialiseAsync(BatchSetup setup);

    /// <summary>Replaces the particles with a checkpoint taken after <paramref name="iteration"/>.</summary>
    [Alias("Load")]
    Task LoadAsync(BatchSetup setup, long iteration, IReadOnlyList<ParticleSnapshot> particles);

    /// <summary>Moves and evaluates every particle once. Fails with <c>swarm.interrupted</c> when the batch does not hold that epoch's particles.</summary>
    [Alias("Step"), ResponseTimeout(SlowCallTimeout)]
    Task<BatchReport> StepAsync(StepCommand command);

    [Alias("Release")]
    Task ReleaseAsync();
}

/// <summary>The optimisations started in the cluster (key: 0), newest first, bounded.</summary>
[Alias("OrleansAgents.Swarms.IOptimizationIndexGrain")]
public interface IOptimizationIndexGrain : IGrainWithIntegerKey
{
    [Alias("Upsert")]
    Task UpsertAsync(OptimizationSummary summary);

    [Alias("List")]
    ValueTask<OptimizationPage> ListAsync(int limit, string? after);
}
