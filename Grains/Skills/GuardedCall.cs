using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using Polly;
using Polly.CircuitBreaker;
using OrleansAgents.Grains.Resilience;

namespace OrleansAgents.Grains.Skills;

/// <summary>
/// Runs a skill's outgoing call through the cluster breaker of its dependency. Only transient
/// <see cref="SkillException"/>s count as breaker failures: a 4xx is the caller's fault, not the
/// dependency's. An open breaker becomes a transient <c>{prefix}.circuit_open</c> with its RetryAfter.
/// </summary>
public sealed class GuardedCalls(ClusterCircuitBreakers breakers)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new(StringComparer.Ordinal);

    public async ValueTask<T> RunAsync<T>(string breaker, string codePrefix, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var pipeline = _pipelines.GetOrAdd(breaker, name => new ResiliencePipelineBuilder()
            .AddClusterCircuitBreaker(breakers, name, ex => ex is SkillException { Transient: true })
            .Build());
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(static async (ctx, call) =>
            {
                try
                {
                    return Outcome.FromResult(await call(ctx.CancellationToken));
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<T>(ex);
                }
            }, context, call);

            switch (outcome.Exception)
            {
                case null:
                    return outcome.Result!;
                case IsolatedCircuitException:
                    throw new SkillException($"{codePrefix}.circuit_isolated", $"Circuit breaker '{breaker}' is isolated by an operator.", transient: true);
                case BrokenCircuitException broken:
                    throw new SkillException($"{codePrefix}.circuit_open", $"Circuit breaker '{breaker}' is open: the call was not made.", transient: true, broken.RetryAfter);
                default:
                    ExceptionDispatchInfo.Throw(outcome.Exception);
                    throw new InvalidOperationException("unreachable");
            }
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A Retry-After header (seconds or a date) as a delay, if there is one.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
