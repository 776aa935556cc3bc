namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// This process's view of one cluster breaker: the last state the grain pushed or reported, and
/// the outcomes not yet reported. Reading it and counting an outcome cost no allocation and no
/// grain call.
/// </summary>
public sealed class LocalBreaker(string name)
{
    private BreakerSnapshot _snapshot = new(name, BreakerState.Closed, null, -1);
    private long _probeDeniedUntil;
    private long _successes;
    private long _failures;
    private long _rejections;
    private long _reportedSuccesses;
    private long _reportedFailures;
    private long _reportedRejections;

    public string Name { get; } = name;

    public BreakerSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public (long Successes, long Failures, long Rejections) Totals =>
        (Interlocked.Read(ref _reportedSuccesses) + Interlocked.Read(ref _successes),
         Interlocked.Read(ref _reportedFailures) + Interlocked.Read(ref _failures),
         Interlocked.Read(ref _reportedRejections) + Interlocked.Read(ref _rejections));

    /// <summary>
    /// After the grain refused a half-open probe, calls are refused here until this time (UTC
    /// ticks) instead of each asking the grain again: the probes are taken either way.
    /// </summary>
    public long ProbeDeniedUntil
    {
        get => Interlocked.Read(ref _probeDeniedUntil);
        set => Interlocked.Exchange(ref _probeDeniedUntil, value);
    }

    /// <summary>Whether the grain pushes this process its transitions yet.</summary>
    public bool Subscribed { get; set; }

    public bool HasPending => Interlocked.Read(ref _successes) + Interlocked.Read(ref _failures) + Interlocked.Read(ref _rejections) > 0;

    public void RecordSuccess() => Interlocked.Increment(ref _successes);

    public void RecordFailure() => Interlocked.Increment(ref _failures);

    public void RecordRejection() => Interlocked.Increment(ref _rejections);

    /// <summary>Takes the pending outcomes for one report (moving them to the reported totals).</summary>
    public BreakerOutcomes TakePending()
    {
        var s = Interlocked.Exchange(ref _successes, 0);
        var f = Interlocked.Exchange(ref _failures, 0);
        var r = Interlocked.Exchange(ref _rejections, 0);
        Interlocked.Add(ref _reportedSuccesses, s);
        Interlocked.Add(ref _reportedFailures, f);
        Interlocked.Add(ref _reportedRejections, r);
        return new BreakerOutcomes((int)Math.Min(s, int.MaxValue), (int)Math.Min(f, int.MaxValue), (int)Math.Min(r, int.MaxValue));
    }

    /// <summary>Applies a newer state; an older one (a push that lost the race with a report) is ignored.</summary>
    public void Apply(BreakerSnapshot snapshot)
    {
        while (true)
        {
            var current = Volatile.Read(ref _snapshot);
            if (snapshot.Version < current.Version || Interlocked.CompareExchange(ref _snapshot, snapshot, current) == current)
            {
                return;
            }
        }
    }
}
