using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// Coordinates one optimisation: synchronous iterations, each a fan-out of one step to every
/// particle batch, then the topology and global-best bookkeeping of <see cref="SwarmProgress"/>.
/// The run is a background loop on this activation; it stores a checkpoint every
/// <see cref="SwarmOptions.CheckpointEvery"/> iterations and keeps a reminder, so after a silo
/// restart (or a batch losing its particles) it goes back to the checkpoint and replays exactly.
/// </summary>
public sealed partial class OptimizationGrain(
    [PersistentState("optimization", StorageNames.Collective)] IPersistentState<OptimizationState> state,
    IOptions<SwarmOptions> options,
    SkillRegistry skills,
    SwarmMetrics metrics,
    TimeProvider time,
    ILogger<OptimizationGrain> logger) : Grain, IOptimizationGrain, IRemindable, IDisposable
{
    public const string WatchdogReminder = "swarm-watchdog";

    private readonly SwarmOptions _options = options.Value;
    private CancellationTokenSource? _stop;
    private Task? _run;
    private bool _cancelRequested;
    private int _rollbacks;
    private GroupCommitWriter? _writer;
    private Watchdog? _watchdog;

    private OptimizationState S => state.State;

    /// <summary>The run checkpoints between requests: saves share group-committed writes; a failed one deactivates.</summary>
    private GroupCommitWriter Writer => _writer ??= state.GroupCommit(this);

    private Watchdog Watchdog => _watchdog ??= new(this, WatchdogReminder, () => _options.WatchdogInterval);

    private string Id => this.GetPrimaryKeyString();

    private bool Running => _run is { IsCompleted: false };

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Exists && S.Status == OptimizationStatus.Running)
        {
            // A new activation of a running optimisation: its previous silo stopped. Resume once activated.
            this.RegisterGrainTimer(_ => { BeginRun(); return Task.CompletedTask; }, new GrainTimerCreationOptions
            {
                DueTime = TimeSpan.Zero,
                Period = Timeout.InfiniteTimeSpan,
            });
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The checkpoint stays "running"; the reminder resumes it on another activation.
        if (_stop is not null)
        {
            await _stop.CancelAsync();
        }

        if (_run is not null)
        {
            await _run;
        }
    }

    public void Dispose() => _stop?.Dispose();

    public async Task<OptimizationView> StartAsync(OptimizationRequest request)
    {
        var fingerprint = Fingerprint(request);
        if (S.Exists)
        {
            // Ids come from the Idempotency-Key (or are random), so an existing record is a resend.
            if (S.Fingerprint != fingerprint)
            {
                throw new DomainException(ErrorCodes.SwarmIdempotencyConflict,
                    "This Idempotency-Key was already used for a different optimisation; use a new key for a new one.", DomainErrorKind.Conflict);
            }

            // The first start may have died half way (stored, but its watchdog or the list entry not):
            // answer only once the run can make progress again.
            if (!SwarmRules.IsFinished(S.Status))
            {
                await Watchdog.RegisterAsync();
                BeginRun();
            }

            await PublishSummaryAsync();
            return View();
        }

        var spec = OptimizationSpecs.Resolve(request, _options, skills);
        // The watchdog before the record, as tasks and runs do: once the record is stored something
        // must bring the run back if this silo dies before it answers. A watchdog without a record
        // unregisters itself on its first tick.
        await Watchdog.RegisterAsync();
        var now = time.GetUtcNow();
        var before = state.State;
        state.State = new OptimizationState
        {
            Exists = true,
            Spec = spec,
            Fingerprint = fingerprint,
            Status = OptimizationStatus.Running,
            Progress = SwarmProgress.Create(spec),
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            // A failed write must not leave "exists" behind in memory: a resend would get 409
            // although nothing was stored. Back to what was there, and the next call reloads storage
            // (the write may have landed after all).
            await Writer.SaveAsync();
        }
        catch
        {
            state.State = before;
            throw;
        }

        metrics.Started(spec);
        LogStarted(Id, spec.Objective, spec.Dimensions, spec.SwarmSize, spec.Iterations, spec.Seed);
        await PublishSummaryAsync();
        BeginRun();
        return View();
    }

    public ValueTask<OptimizationView?> GetAsync() => ValueTask.FromResult(S.Exists ? View() : null);

    public async Task<OptimizationView> CancelAsync()
    {
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.SwarmNotFound, $"Optimisation '{Id}' does not exist.", DomainErrorKind.NotFound);
        }

        if (SwarmRules.IsFinished(S.Status))
        {
            return View();
        }

        _cancelRequested = true;
        if (Running)
        {
            await _stop!.CancelAsync();
            await _run!;
        }
        else
        {
            await FinishAsync(OptimizationStatus.Cancelled, null);
        }

        return View();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WatchdogReminder)
        {
            return;
        }

        if (!S.Exists || SwarmRules.IsFinished(S.Status))
        {
            await UnregisterWatchdogAsync();
            return;
        }

        BeginRun();
    }

    private void BeginRun()
    {
        if (Running || !S.Exists || SwarmRules.IsFinished(S.Status))
        {
            return;
        }

        _stop?.Dispose();
        _stop = new CancellationTokenSource();
        _run = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.Zero;
        while (true)
        {
            try
            {
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, stop);
                }

                await IterateAsync(stop);
                await FinishAsync(OptimizationStatus.Completed, null);
                return;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                if (_cancelRequested)
                {
                    await FinishAsync(OptimizationStatus.Cancelled, null);
                }

                return; // deactivating: the checkpoint and the reminder take it from here
            }
            catch (DomainException ex) when (ex.Code == ErrorCodes.SwarmEvaluationFailed)
            {
                await FinishAsync(OptimizationStatus.Failed, new OptimizationError(ex.Code, ex.Message));
                return;
            }
            catch (Exception ex)
            {
                // A batch lost its particles (its silo stopped, it was collected) or did not answer: replay from the checkpoint.
                if (++_rollbacks > _options.MaxRollbacks)
                {
                    LogGaveUp(ex, Id, _rollbacks - 1);
                    await FinishAsync(OptimizationStatus.Failed, new OptimizationError(ErrorCodes.SwarmInterrupted,
                        $"The run lost its particle batches {_rollbacks - 1} times and was stopped."));
                    return;
                }

                LogRollback(ex, Id, S.Progress?.Iteration ?? 0);
                // Real time, not the grain clock: it only spaces retries while membership notices a dead silo.
                backoff = TimeSpan.FromMilliseconds(Math.Min(200 * _rollbacks, 5000));
                await state.ReadStateAsync(CancellationToken.None);
                if (!S.Exists || SwarmRules.IsFinished(S.Status))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Loads (or creates) the batches from the checkpoint, then iterates until done.</summary>
    private async Task IterateAsync(CancellationToken stop)
    {
        var spec = S.Spec!;
        var epoch = Guid.NewGuid();
        var layout = SwarmLayout.Of(spec.SwarmSize, _options);
        var batches = layout.Select(b => (Grain: GrainFactory.GetGrain<IParticleBatchGrain>($"{Id}/{b.Index}"), Setup: new BatchSetup(Id, spec, b.First, b.Count, epoch))).ToList();
        var progress = S.Progress!;
        if (S.Particles.Count == 0)
        {
            // Nothing checkpointed yet: start from the seeds (deterministic, so a replay draws the same swarm).
            state.State.Progress = progress = SwarmProgress.Create(spec);
            var initial = await Task.WhenAll(batches.Select(b => b.Grain.InitialiseAsync(b.Setup))).WaitAsync(stop);
            progress.Complete(initial.SelectMany(r => r.Improved), spec.SwarmSize, _options.HistoryPoints);
        }
        else
        {
            await Task.WhenAll(batches.Select(b => b.Grain.LoadAsync(b.Setup, progress.Iteration,
                S.Particles.GetRange(b.Setup.FirstParticle, b.Setup.Count)))).WaitAsync(stop);
        }

        while (!ReferenceSwarm.IsDone(spec, progress))
        {
            stop.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var next = progress.Iteration + 1;
            var checkpoint = next % _options.CheckpointEvery == 0;
            var guides = progress.Guides();
            var reports = await Task.WhenAll(batches.Select(b => b.Grain.StepAsync(new StepCommand(epoch, next,
                [.. guides.Skip(b.Setup.FirstParticle).Take(b.Setup.Count)], checkpoint)))).WaitAsync(stop);
            progress.Complete(reports.SelectMany(r => r.Improved), spec.SwarmSize, _options.HistoryPoints);
            metrics.Iteration(spec, Stopwatch.GetElapsedTime(started));
            if (checkpoint)
            {
                S.Particles = [.. reports.SelectMany(r => r.Snapshot!)];
                S.UpdatedAt = time.GetUtcNow();
                await Writer.SaveAsync();
            }
        }
    }

    private async Task FinishAsync(OptimizationStatus status, OptimizationError? error)
    {
        var now = time.GetUtcNow();
        S.Status = status;
        S.Error = error;
        S.Particles = [];
        S.UpdatedAt = now;
        S.FinishedAt = now;
        await Writer.SaveAsync();
        await UnregisterWatchdogAsync();
        metrics.Finished(S.Spec!, status);
        LogFinished(Id, status, S.Progress?.Iteration ?? 0, S.Progress?.BestValue);
        await PublishSummaryAsync();
        foreach (var batch in SwarmLayout.Of(S.Spec!.SwarmSize, _options))
        {
            // Best effort: an idle batch is collected anyway.
            _ = GrainFactory.GetGrain<IParticleBatchGrain>($"{Id}/{batch.Index}").ReleaseAsync();
        }
    }

    private Task UnregisterWatchdogAsync() => Watchdog.UnregisterAsync();

    private async Task PublishSummaryAsync()
    {
        try
        {
            var p = S.Progress;
            await GrainFactory.GetGrain<IOptimizationIndexGrain>(0).UpsertAsync(new OptimizationSummary(
                Id, S.Spec!.Objective, S.Spec.Dimensions, S.Status, p?.Iteration ?? 0, p?.BestValue, S.Spec.SubmittedBy, S.CreatedAt, S.UpdatedAt));
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            // The list is a convenience; the optimisation itself is stored.
            LogListFailed(ex, Id);
        }
    }

    /// <summary>Over the request as sent (an absent seed stays absent), so a resend matches the first start.</summary>
    private static string Fingerprint(OptimizationRequest r) =>
        RequestFingerprint.Of(r.Function, r.Skill, r.Capability, r.Dimensions,
            r.Bounds is null ? null : string.Join(';', r.Bounds.Select(b => FormattableString.Invariant($"{b.Min:R}:{b.Max:R}"))),
            r.SwarmSize, r.Iterations, r.Seed, r.Inertia, r.C1, r.C2, r.Informants, r.TargetValue, r.SubmittedBy);

    private OptimizationView View()
    {
        var p = S.Progress;
        return new OptimizationView(Id, S.Spec!, S.Status, p?.Iteration ?? 0, p?.Evaluations ?? 0, p?.BestValue, p?.BestPosition,
            p?.Convergence() ?? [], S.Error, S.CreatedAt, S.UpdatedAt, S.FinishedAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Optimisation {OptimizationId} started: {Objective}, {Dimensions} dimensions, {SwarmSize} particles, {Iterations} iterations, seed {Seed}")]
    private partial void LogStarted(string optimizationId, string objective, int dimensions, int swarmSize, int iterations, long seed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Optimisation {OptimizationId} {Status} after {Iteration} iterations, best {BestValue}")]
    private partial void LogFinished(string optimizationId, OptimizationStatus status, long iteration, double? bestValue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Optimisation {OptimizationId} goes back to its checkpoint at iteration {Iteration}")]
    private partial void LogRollback(Exception exception, string optimizationId, long iteration);

    [LoggerMessage(Level = LogLevel.Error, Message = "Optimisation {OptimizationId} failed after {Rollbacks} rollbacks")]
    private partial void LogGaveUp(Exception exception, string optimizationId, int rollbacks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Optimisation {OptimizationId} could not update the optimisation list")]
    private partial void LogListFailed(Exception exception, string optimizationId);
}
