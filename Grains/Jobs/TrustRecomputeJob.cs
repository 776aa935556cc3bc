using Microsoft.Extensions.DependencyInjection;

namespace OrleansAgents.Grains.Jobs;

/// <summary>
/// One step of the periodic trust recompute (EigenTrust-style reputation). The trust feature
/// registers its implementation with <c>services.AddTrustRecomputation&lt;T&gt;()</c>; the job
/// <see cref="JobRules.TrustRecompute"/> already runs every 10 minutes and calls each one.
/// </summary>
public interface ITrustRecomputation
{
    /// <summary>Recomputes and returns a one-line summary for the job's status.</summary>
    ValueTask<string> RecomputeAsync(CancellationToken cancellationToken);
}

public sealed class TrustRecomputeJob(IEnumerable<ITrustRecomputation> recomputations) : IPeriodicJob
{
    public string Name => JobRules.TrustRecompute;

    public async ValueTask<string> RunAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<string>();
        foreach (var recomputation in recomputations)
        {
            summaries.Add(await recomputation.RecomputeAsync(cancellationToken));
        }

        return summaries.Count == 0 ? "No trust recomputation is registered; nothing to do." : string.Join(" ", summaries);
    }
}

public static class TrustRecomputationServiceCollectionExtensions
{
    public static IServiceCollection AddTrustRecomputation<T>(this IServiceCollection services)
        where T : class, ITrustRecomputation
    {
        services.AddSingleton<ITrustRecomputation, T>();
        return services;
    }
}
