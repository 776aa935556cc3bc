using OrleansAgents.Errors;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// A slice of one optimisation's swarm, in memory only: the coordinator checkpoints it. A new
/// activation (after a silo stopped, or collection) holds nothing and answers
/// <c>swarm.interrupted</c>, and the coordinator replays from its checkpoint.
/// </summary>
public sealed class ParticleBatchGrain(SwarmMetrics metrics, SkillObjective skillObjective) : Grain, IParticleBatchGrain
{
    private BatchSetup? _setup;
    private ParticleSlice? _slice;
    private BenchmarkFunctions.Objective? _function;
    private long _iteration;

    public async Task<BatchReport> InitialiseAsync(BatchSetup setup)
    {
        Bind(setup);
        var slice = ParticleSlice.Create(setup.Spec, setup.FirstParticle, setup.Count);
        var improved = slice.Accept(await EvaluateAsync(slice, 0));
        (_slice, _iteration) = (slice, 0);
        return new BatchReport(0, improved, slice.Count, null);
    }

    public Task LoadAsync(BatchSetup setup, long iteration, IReadOnlyList<ParticleSnapshot> particles)
    {
        Bind(setup);
        (_slice, _iteration) = (ParticleSlice.Restore(setup.Spec, setup.FirstParticle, particles), iteration);
        return Task.CompletedTask;
    }

    public async Task<BatchReport> StepAsync(StepCommand command)
    {
        if (_slice is not { } slice || _setup?.Epoch != command.Epoch || command.Iteration != _iteration + 1 || command.Guides.Count != slice.Count)
        {
            throw new DomainException(ErrorCodes.SwarmInterrupted,
                $"Batch {this.GetPrimaryKeyString()} does not hold the particles of iteration {command.Iteration - 1}.", DomainErrorKind.Conflict);
        }

        // Until this step completes the slice is half moved: a failure leaves nothing usable behind.
        _slice = null;
        slice.Move(command.Guides);
        var improved = slice.Accept(await EvaluateAsync(slice, command.Iteration));
        (_slice, _iteration) = (slice, command.Iteration);
        return new BatchReport(command.Iteration, improved, slice.Count, command.Snapshot ? slice.Snapshot() : null);
    }

    public Task ReleaseAsync()
    {
        (_setup, _slice) = (null, null);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void Bind(BatchSetup setup)
    {
        _setup = setup;
        _slice = null;
        _function = setup.Spec.Function is { } name && BenchmarkFunctions.TryGet(name, out var definition) ? definition.Evaluate : null;
    }

    private async Task<IReadOnlyList<double>> EvaluateAsync(ParticleSlice slice, long iteration)
    {
        var values = _function is { } function
            ? slice.Evaluate(function)
            : await skillObjective.EvaluateAsync(GrainFactory, _setup!, iteration, slice);
        metrics.Evaluated(_setup!.Spec, slice.Count);
        return values;
    }
}
