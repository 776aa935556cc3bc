namespace OrleansAgents.Api.RateLimiting;

/// <summary>
/// One user's allowance in this API process: units leased from the user's bucket grain and handed
/// out locally, so most requests decide without a network hop to a silo. One lease request is in
/// flight at a time (the others wait for it); a refill hands back what is left of the previous
/// grant, and a grant is spent only within <c>ttl</c> of its arrival (the sweeper returns the rest).
/// Over-admission bound: the grain counts a grant as spent when it makes it, so the only admissions
/// a window can see beyond its limit are units leased before the window began, at most
/// <c>leaseUnits</c> per API process (and never more than PerMinute / LeaseDivisor of the tier).
/// </summary>
public sealed class LeasedAllowance(IRateLimitBucketGrain bucket, int leaseUnits, TimeSpan ttl, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly long _ttlTicks = (long)(ttl.TotalSeconds * time.TimestampFrequency);
    private int _units;
    private DateTimeOffset _grantedAt;
    private long _expiresAt;
    private long _lastUsed = time.GetTimestamp();
    private RateLimitDecision? _last;
    private Task<RateLimitLeaseGrant>? _refill;
    private int _refillNeed;

    /// <summary>Units held now (for tests and the sweeper).</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _units;
            }
        }
    }

    public TimeSpan IdleFor => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public async ValueTask<RateLimitDecision> AcquireAsync(int cost, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            TaskCompletionSource<RateLimitLeaseGrant>? mine = null;
            RateLimitLeaseRequest? request = null;
            Task<RateLimitLeaseGrant> refill;
            int need;
            lock (_gate)
            {
                var now = time.GetTimestamp();
                _lastUsed = now;
                if (_units >= cost && now < _expiresAt && _last is { } last)
                {
                    _units -= cost;
                    return Local(last, _units);
                }

                if (_refill is null)
                {
                    mine = new TaskCompletionSource<RateLimitLeaseGrant>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _refill = mine.Task;
                    _refillNeed = cost;
                    // Hand back what is left (too little, or expired) in the same call.
                    request = new RateLimitLeaseRequest(cost, Math.Max(cost, leaseUnits), _units, _grantedAt);
                    _units = 0;
                }

                refill = _refill;
                need = _refillNeed;
            }

            if (mine is not null)
            {
                await RefillAsync(mine, request!);
            }

            var grant = await refill.WaitAsync(cancellationToken);
            // A bucket that cannot spare `need` cannot spare more either; a smaller cost tries its own lease.
            if (grant.Granted == 0 && cost >= need)
            {
                return grant.Decision;
            }
        }
    }

    /// <summary>Gives back an expired remainder (or, on shutdown, any remainder) unless a lease is in flight.</summary>
    public async Task ReturnUnusedAsync(bool evenIfLive)
    {
        int units;
        DateTimeOffset grantedAt;
        lock (_gate)
        {
            if (_units == 0 || _refill is not null || (!evenIfLive && time.GetTimestamp() < _expiresAt))
            {
                return;
            }

            (units, grantedAt, _units) = (_units, _grantedAt, 0);
        }

        await bucket.ReturnAsync(units, grantedAt);
    }

    private async Task RefillAsync(TaskCompletionSource<RateLimitLeaseGrant> mine, RateLimitLeaseRequest request)
    {
        try
        {
            var grant = await bucket.LeaseAsync(request);
            lock (_gate)
            {
                _units = grant.Granted;
                _grantedAt = grant.GrantedAt;
                _expiresAt = time.GetTimestamp() + _ttlTicks;
                _last = grant.Granted > 0 ? grant.Decision : _last;
                _refill = null;
            }

            mine.SetResult(grant);
        }
        catch (Exception ex)
        {
            // The handed-back units are lost with the call: the user is under-admitted, never over.
            lock (_gate)
            {
                _refill = null;
            }

            mine.SetException(ex);
        }
    }

    /// <summary>
    /// The grain's windows as of the grant, with the units still held here counted as remaining:
    /// exact for this process, approximate across processes (others hold their own leases).
    /// </summary>
    private static RateLimitDecision Local(RateLimitDecision grant, int held) =>
        held == 0 ? grant : grant with
        {
            Windows = grant.Windows.Select(w => w.Name == RateLimitWindows.AiTokens ? w
                : w with { Used = Math.Max(0, w.Used - held), Remaining = Math.Min(w.Limit, w.Remaining + held) }).ToList(),
        };
}
