using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Jobs;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>The periodic job's step: recompute every configured domain, one after another.</summary>
public sealed class TrustRecomputation(IGrainFactory grains, IOptions<TrustOptions> options) : ITrustRecomputation
{
    public async ValueTask<string> RecomputeAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<string>();
        foreach (var domain in options.Value.Domains.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = await grains.GetGrain<ITrustCoordinatorGrain>(domain).RecomputeAsync();
            summaries.Add(status.Phase == TrustRecomputePhase.Succeeded
                ? $"Trust '{domain}': {status.Peers} peers, {status.Iteration} iterations, residual {status.Residual:G3}."
                : $"Trust '{domain}' failed: {status.Error}");
        }

        return string.Join(" ", summaries);
    }
}
