using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.RateLimiting;

/// <summary>
/// Decides in memory (no storage I/O on the hot path) and checkpoints by policy: a write once
/// <see cref="RateLimitingOptions.CheckpointEvery"/> admissions are unsaved, awaited before the
/// admitting call returns, and a timer write for fewer after <see cref="RateLimitingOptions.CheckpointInterval"/>.
/// Not reentrant, so decisions for one user are strictly serial: no over-admission across silos.
/// </summary>
public sealed class RateLimitBucketGrain(
    [PersistentState("bucket", StorageNames.RateLimits)] IPersistentState<RateLimitBucketState> state,
    IOptions<RateLimitingOptions> options,
    RateLimitMetrics metrics,
    TimeProvider time) : Grain, IRateLimitBucketGrain
{
    private readonly RateLimitingOptions _options = options.Value;
    private int _unsaved;
    private long _unreportedRejections;
    private DateTimeOffset _rejectionsReportedAt = DateTimeOffset.MinValue;

    private string Tier => state.State.Tier is { } t && _options.Tiers.ContainsKey(t) ? t : DefaultTierOfKey;

    /// <summary>A bucket nobody gave a tier: anonymous callers' in the anonymous tier, everyone else's in the default.</summary>
    private string DefaultTierOfKey => RateLimitRules.IsAnonymousBucket(this.GetPrimaryKeyString()) ? _options.AnonymousTier : _options.DefaultTier;

    private TierLimits Limits => _options.LimitsOf(Tier);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(CheckpointIfDirtyAsync, new GrainTimerCreationOptions
        {
            DueTime = _options.CheckpointInterval,
            Period = _options.CheckpointInterval,
        });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReportRejections(force: true);
        return _unsaved > 0 ? state.WriteStateAsync(cancellationToken) : Task.CompletedTask;
    }

    public ValueTask<RateLimitDecision> DecideAsync(RateLimitRequest request)
    {
        if (request.Cost is < 1 or > RateLimitRules.MaxCost)
        {
            throw new DomainException(ErrorCodes.RateLimitInvalidCost, $"cost must be between 1 and {RateLimitRules.MaxCost}.");
        }

        var decision = RateLimitBucket.Decide(state.State, Limits, Tier, request, time.GetUtcNow());
        metrics.Decided(decision.Tier, decision.Allowed);
        if (!decision.Allowed)
        {
            Rejected();
            return ValueTask.FromResult(decision);
        }

        return ++_unsaved >= _options.CheckpointEvery ? CheckpointThenAsync(decision) : ValueTask.FromResult(decision);
    }

    public ValueTask<RateLimitLeaseGrant> LeaseAsync(RateLimitLeaseRequest request)
    {
        if (request.Need is < 1 or > RateLimitRules.MaxCost || request.Want < request.Need || request.Want > RateLimitRules.MaxLeaseUnits
            || request.Returned is < 0 or > RateLimitRules.MaxLeaseUnits)
        {
            throw new DomainException(ErrorCodes.RateLimitInvalidCost,
                $"a lease needs 1 to {RateLimitRules.MaxCost} units, wants at least that and at most {RateLimitRules.MaxLeaseUnits}, and returns 0 to {RateLimitRules.MaxLeaseUnits}.");
        }

        var now = time.GetUtcNow();
        if (request.Returned > 0)
        {
            RateLimitBucket.Return(state.State, Limits, request.Returned, request.ReturnedGrantedAt, now);
        }

        var limits = Limits;
        var (granted, decision) = RateLimitBucket.Lease(state.State, limits, Tier, request.Need, request.Want,
            limits.PerMinute / _options.LeaseDivisor, now);
        metrics.Decided(decision.Tier, decision.Allowed);
        if (granted == 0)
        {
            Rejected();
        }

        var grant = new RateLimitLeaseGrant(granted, now, decision);
        // One lease counts as one admission towards the checkpoint: after a crash the bucket can
        // forget at most (CheckpointEvery - 1) leases, each at most PerMinute / LeaseDivisor units.
        return granted == 0 && request.Returned == 0 ? ValueTask.FromResult(grant)
            : ++_unsaved >= _options.CheckpointEvery ? CheckpointThenAsync(grant)
            : ValueTask.FromResult(grant);
    }

    public Task ReturnAsync(int units, DateTimeOffset grantedAt)
    {
        if (units is < 0 or > RateLimitRules.MaxLeaseUnits)
        {
            throw new DomainException(ErrorCodes.RateLimitInvalidCost, $"a return is 0 to {RateLimitRules.MaxLeaseUnits} units.");
        }

        // Losing a return to a crash only under-admits, so the timer's checkpoint is enough.
        RateLimitBucket.Return(state.State, Limits, units, grantedAt, time.GetUtcNow());
        _unsaved++;
        return Task.CompletedTask;
    }

    public async Task<RateLimitStatus> ChargeAiTokensAsync(long tokens)
    {
        if (tokens is < 1 or > RateLimitRules.MaxAiTokensPerCharge)
        {
            throw new DomainException(ErrorCodes.RateLimitInvalidTokens, $"tokens must be between 1 and {RateLimitRules.MaxAiTokensPerCharge}.");
        }

        RateLimitBucket.ChargeAiTokens(state.State, tokens, time.GetUtcNow());
        metrics.AiTokensCharged(Tier, tokens);
        await SaveAsync();
        return Status();
    }

    public ValueTask<RateLimitStatus> GetStatusAsync() => ValueTask.FromResult(Status());

    public async Task<RateLimitStatus> SetTierAsync(string tier)
    {
        if (!_options.Tiers.ContainsKey(tier))
        {
            throw new DomainException(ErrorCodes.RateLimitUnknownTier,
                $"Unknown tier '{tier}'. Known tiers: {string.Join(", ", _options.Tiers.Keys.Order(StringComparer.Ordinal))}.");
        }

        state.State.Tier = tier.ToLowerInvariant();
        await SaveAsync();
        return Status();
    }

    public async Task<RateLimitStatus> ResetAsync()
    {
        RateLimitBucket.Reset(state.State);
        await SaveAsync();
        return Status();
    }

    private RateLimitStatus Status() =>
        new(this.GetPrimaryKeyString(), Tier, RateLimitBucket.Windows(state.State, Limits, time.GetUtcNow()));

    private async ValueTask<T> CheckpointThenAsync<T>(T result)
    {
        await SaveAsync();
        return result;
    }

    private Task CheckpointIfDirtyAsync(CancellationToken cancellationToken)
    {
        ReportRejections(force: false);
        return _unsaved > 0 ? SaveAsync() : Task.CompletedTask;
    }

    /// <summary>Counts a rejection for the operators' list; the first after a quiet spell is reported at once, the rest batched.</summary>
    private void Rejected()
    {
        _unreportedRejections++;
        ReportRejections(force: false);
    }

    private void ReportRejections(bool force)
    {
        var now = time.GetUtcNow();
        if (_unreportedRejections == 0 || (!force && now - _rejectionsReportedAt < _options.RejectionReportInterval))
        {
            return;
        }

        // One-way: reporting never slows or fails a decision.
        _ = GrainFactory.GetGrain<IRateLimitRejectionsGrain>(RateLimitRules.RejectionWindowKey(now))
            .AddAsync(this.GetPrimaryKeyString(), Tier, _unreportedRejections, now);
        _unreportedRejections = 0;
        _rejectionsReportedAt = now;
    }

    private async Task SaveAsync()
    {
        await state.SaveOrDeactivateAsync(this);
        _unsaved = 0;
    }
}
