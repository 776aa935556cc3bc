using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

[GenerateSerializer, Alias("OrleansAgents.TrustCoordinatorState.v1")]
public sealed class TrustCoordinatorState
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public List<string> Peers { get; set; } = [];
    [Id(2)] public double[] Trust { get; set; } = [];
    [Id(3)] public DateTimeOffset? ComputedAt { get; set; }
    [Id(4)] public int Iterations { get; set; }
    [Id(5)] public double Residual { get; set; }
    [Id(6)] public long Ratings { get; set; }
    [Id(7)] public bool Converged { get; set; }

    /// <summary>The last run, successful or not.</summary>
    [Id(8)] public TrustRecomputeStatus? LastRun { get; set; }
}

/// <summary>
/// Computes global trust of one domain (key) and stores the result. Reentrant: status and
/// snapshot reads answer while a computation runs, and a second request joins the running one.
/// </summary>
[Reentrant]
public sealed partial class TrustCoordinatorGrain(
    [PersistentState("trust-global", StorageNames.Collective)] IPersistentState<TrustCoordinatorState> state,
    IOptions<TrustOptions> options,
    TrustMetrics metrics,
    TimeProvider time,
    ILogger<TrustCoordinatorGrain> logger) : Grain, ITrustCoordinatorGrain
{
    private Task<TrustRecomputeStatus>? _running;
    private TrustRecomputeStatus? _progress;
    private GlobalTrustSnapshot? _snapshot;

    private string Domain => this.GetPrimaryKeyString();

    public Task<TrustRecomputeStatus> StartRecomputeAsync()
    {
        Begin();
        return Task.FromResult(Status());
    }

    public Task<TrustRecomputeStatus> RecomputeAsync() => Begin();

    private Task<TrustRecomputeStatus> Begin()
    {
        if (_running is null)
        {
            _progress = new TrustRecomputeStatus(Domain, TrustRecomputePhase.Loading, true, 0, 0, null, time.GetUtcNow(), null, null, null, state.State.Version, 0, false);
            _running = RunAsync(_progress);
        }

        return _running;
    }

    public ValueTask<TrustRecomputeStatus> GetStatusAsync() => ValueTask.FromResult(Status());

    public ValueTask<GlobalTrustSnapshot?> GetSnapshotAsync(long knownVersion)
    {
        if (state.State.Version == 0 || state.State.Version == knownVersion)
        {
            return ValueTask.FromResult<GlobalTrustSnapshot?>(null);
        }

        _snapshot ??= new GlobalTrustSnapshot(Domain, state.State.Version, [.. state.State.Peers], [.. state.State.Trust],
            state.State.ComputedAt ?? default, state.State.Iterations, state.State.Residual);
        return ValueTask.FromResult<GlobalTrustSnapshot?>(_snapshot);
    }

    private TrustRecomputeStatus Status() => _progress ?? state.State.LastRun
        ?? new TrustRecomputeStatus(Domain, TrustRecomputePhase.Idle, false, 0, 0, null, null, null, null, null, state.State.Version, 0, false);

    private async Task<TrustRecomputeStatus> RunAsync(TrustRecomputeStatus progress)
    {
        // Let the caller's request return before the work starts.
        await Task.Yield();
        var o = options.Value;
        var clock = time.GetTimestamp();
        var epoch = state.State.Version + 1;
        TrustPartitionGrainRange[] partitions = [];
        try
        {
            var peers = await PeersAsync(o);
            progress = _progress = progress with { Peers = peers.Count };
            partitions = Partition(peers.Count, o.Partitions);
            var loaded = await Task.WhenAll(partitions.Select(p => p.Grain(GrainFactory, Domain).LoadAsync(new TrustPartitionLoad(epoch, peers, p.Start, p.Count, o.BatchSize))));
            var ratings = loaded.Sum(l => l.Ratings);
            var p = EigenTrust.PreTrusted(peers, new HashSet<string>(o.PreTrusted.Append(TrustRules.UsersPeer), StringComparer.Ordinal));
            progress = _progress = progress with { Phase = TrustRecomputePhase.Iterating, Ratings = ratings };

            var t = (double[])p.Clone();
            var iterations = 0;
            var residual = double.PositiveInfinity;
            while (iterations < o.MaxIterations && residual >= o.Epsilon)
            {
                var current = t;
                var parts = await Task.WhenAll(partitions.Select(part => part.Grain(GrainFactory, Domain).IterateAsync(epoch, current)));
                (t, residual) = Step(current, parts, p, o.Alpha);
                iterations++;
                progress = _progress = progress with { Iteration = iterations, Residual = residual };
            }

            var duration = time.GetElapsedTime(clock);
            var converged = residual < o.Epsilon;
            var done = progress with
            {
                Phase = TrustRecomputePhase.Succeeded, Running = false, FinishedAt = time.GetUtcNow(), Duration = duration,
                Version = epoch, Converged = converged,
            };
            state.State.Version = epoch;
            state.State.Peers = peers;
            state.State.Trust = t;
            state.State.ComputedAt = done.FinishedAt;
            state.State.Iterations = iterations;
            state.State.Residual = residual;
            state.State.Ratings = ratings;
            state.State.Converged = converged;
            state.State.LastRun = done;
            _snapshot = null;
            await state.SaveOrDeactivateAsync(this);
            metrics.Computed(Domain, true, duration, iterations, residual, peers.Count);
            LogComputed(Domain, peers.Count, iterations, residual, duration.TotalMilliseconds);
            return done;
        }
        catch (Exception ex)
        {
            var failed = progress with { Phase = TrustRecomputePhase.Failed, Running = false, FinishedAt = time.GetUtcNow(), Duration = time.GetElapsedTime(clock), Error = ex.Message };
            state.State.LastRun = failed;
            metrics.Computed(Domain, false, failed.Duration!.Value, 0, 0, 0);
            LogFailed(ex, Domain);
            return failed;
        }
        finally
        {
            _progress = null;
            _running = null;
            foreach (var part in partitions)
            {
                _ = part.Grain(GrainFactory, Domain).ReleaseAsync(epoch);
            }
        }
    }

    /// <summary>Everyone in the directory plus the configured pre-trusted agents, in ordinal order.</summary>
    private async Task<List<string>> PeersAsync(TrustOptions o)
    {
        var peers = await TrustDirectory.ListAsync(GrainFactory, Domain);
        var missing = o.PreTrusted.Except(peers, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            peers.AddRange(missing.Distinct(StringComparer.Ordinal));
            peers.Sort(StringComparer.Ordinal);
        }

        return peers;
    }

    /// <summary>t' = (1 − a)·(Cᵀ·t + dangling·p) + a·p, and ‖t' − t‖₁.</summary>
    internal static (double[] Next, double Residual) Step(double[] t, IReadOnlyList<TrustContribution> parts, double[] p, double alpha)
    {
        var next = new double[t.Length];
        var dangling = 0.0;
        foreach (var part in parts)
        {
            dangling += part.Dangling;
            for (var j = 0; j < next.Length; j++)
            {
                next[j] += part.Values[j];
            }
        }

        var residual = 0.0;
        for (var j = 0; j < next.Length; j++)
        {
            next[j] = (1 - alpha) * (next[j] + dangling * p[j]) + alpha * p[j];
            residual += Math.Abs(next[j] - t[j]);
        }

        return (next, residual);
    }

    private static TrustPartitionGrainRange[] Partition(int peers, int partitions)
    {
        var count = Math.Max(1, Math.Min(partitions, peers));
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var start = (int)((long)peers * i / count);
            var end = (int)((long)peers * (i + 1) / count);
            return new TrustPartitionGrainRange(i, start, end - start);
        })];
    }

    private sealed record class TrustPartitionGrainRange(int Index, int Start, int Count)
    {
        public ITrustPartitionGrain Grain(IGrainFactory grains, string domain) =>
            grains.GetGrain<ITrustPartitionGrain>(domain + "/" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Global trust of {Domain}: {Peers} peers, {Iterations} iterations, residual {Residual}, {Milliseconds} ms")]
    private partial void LogComputed(string domain, int peers, int iterations, double residual, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Global trust computation of {Domain} failed")]
    private partial void LogFailed(Exception ex, string domain);
}
