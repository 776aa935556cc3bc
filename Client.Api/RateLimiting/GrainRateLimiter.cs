using System.Diagnostics;
using System.Threading.RateLimiting;

namespace OrleansAgents.Api.RateLimiting;

/// <summary>
/// One partition's <see cref="RateLimiter"/>: every acquisition is a decision by the user's bucket
/// grain, so all API instances share one count; with <paramref name="leases"/>, most decisions are
/// made here from an allowance leased from that grain (AI-token routes still ask the grain, whose
/// token quota is not leased). The synchronous path never decides (it cannot call a grain); the
/// middleware then takes the asynchronous one.
/// </summary>
public sealed class GrainRateLimiter(IGrainFactory grains, string key, RateLimitCost cost, LeasedAllowances? leases = null) : RateLimiter
{
    public static readonly MetadataName<RateLimitDecision> DecisionMetadata = new("orleans-agents.decision");

    private long _lastUsed = Stopwatch.GetTimestamp();

    /// <summary>Lets the partitioned limiter drop limiters of users who went quiet.</summary>
    public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.NotDecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
        if (permitCount == 0)
        {
            return Lease.NotDecided;
        }

        var units = cost.Cost * permitCount;
        var decision = leases is not null && !cost.UsesAiTokens
            ? await leases.For(key).AcquireAsync(units, cancellationToken)
            : await grains.GetGrain<IRateLimitBucketGrain>(key).DecideAsync(new RateLimitRequest(units, cost.UsesAiTokens))
                .AsTask().WaitAsync(cancellationToken);
        RateLimitDecisionScope.Record(decision);
        return new Lease(decision);
    }

    private sealed class Lease(RateLimitDecision? decision) : RateLimitLease
    {
        public static readonly Lease NotDecided = new(null);

        public override bool IsAcquired => decision?.Allowed ?? false;

        public override IEnumerable<string> MetadataNames =>
            decision is null ? [] : [MetadataName.RetryAfter.Name, DecisionMetadata.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name && decision is not null ? decision.RetryAfter
                : metadataName == DecisionMetadata.Name ? decision
                : null;
            return metadata is not null;
        }
    }
}

/// <summary>
/// Carries the decision from the limiter (deep in the middleware) back to the response headers:
/// the outer middleware creates the holder, the limiter fills it in the same async flow.
/// </summary>
public static class RateLimitDecisionScope
{
    private static readonly AsyncLocal<Holder?> Current = new();

    public static Holder Begin() => Current.Value = new Holder();

    public static void Record(RateLimitDecision decision)
    {
        if (Current.Value is { } holder)
        {
            holder.Decision = decision;
        }
    }

    public sealed class Holder
    {
        public RateLimitDecision? Decision { get; set; }
    }
}
