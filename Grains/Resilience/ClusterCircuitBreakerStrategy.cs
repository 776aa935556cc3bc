using Polly;
using Polly.CircuitBreaker;

namespace OrleansAgents.Grains.Resilience;

/// <summary>
/// A Polly strategy that obeys a cluster-wide breaker. Closed: run the call and count its outcome
/// locally (no grain call, no allocation when the callback completes synchronously). Open or
/// isolated: return a <see cref="BrokenCircuitException"/> outcome without throwing. Half-open:
/// ask the grain for one of its bounded probe permits. Awaits keep the caller's context, so a grain
/// that guards a call with this strategy stays on its own scheduler.
/// </summary>
public sealed class ClusterCircuitBreakerStrategy(ClusterCircuitBreakers breakers, LocalBreaker breaker, Func<Exception, bool> shouldHandle)
    : ResilienceStrategy
{
    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var snapshot = breaker.Snapshot;
        switch (snapshot.State)
        {
            case BreakerState.Closed when snapshot.Version >= 0:
                var call = callback(context, state);
                if (call.IsCompletedSuccessfully)
                {
                    Record(call.Result);
                    return call;
                }

                return AwaitAndRecord(call);
            case BreakerState.Isolated:
                breaker.RecordRejection();
                return ValueTask.FromResult(Outcome.FromException<TResult>(
                    new IsolatedCircuitException($"Circuit breaker '{breaker.Name}' is isolated; it stays open until closed by hand.")));
            case BreakerState.Open when snapshot.RetryAt > breakers.Time.GetUtcNow():
                breaker.RecordRejection();
                var retryAfter = snapshot.RetryAt.Value - breakers.Time.GetUtcNow();
                return ValueTask.FromResult(Outcome.FromException<TResult>(new BrokenCircuitException(
                    $"Circuit breaker '{breaker.Name}' is open; it will let a probe through at {snapshot.RetryAt:O}.", retryAfter)));
            case BreakerState.HalfOpen or BreakerState.Open when breaker.ProbeDeniedUntil > breakers.Time.GetUtcNow().UtcTicks:
                breaker.RecordRejection();
                return ValueTask.FromResult(Outcome.FromException<TResult>(new BrokenCircuitException(
                    $"Circuit breaker '{breaker.Name}' is half-open and its probes are taken; retry shortly.")));
            default:
                // First use in this process, or a half-open (or just expired) breaker: ask the grain.
                return SlowPathAsync(callback, context, state);
        }
    }

    private async ValueTask<Outcome<TResult>> AwaitAndRecord<TResult>(ValueTask<Outcome<TResult>> call)
    {
        var outcome = await call;
        Record(outcome);
        return outcome;
    }

    private void Record<TResult>(Outcome<TResult> outcome)
    {
        if (outcome.Exception is { } ex && shouldHandle(ex))
        {
            breaker.RecordFailure();
        }
        else
        {
            breaker.RecordSuccess();
        }
    }

    private async ValueTask<Outcome<TResult>> SlowPathAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var snapshot = breaker.Snapshot.Version < 0 ? await breakers.RefreshAsync(breaker) : breaker.Snapshot;
        if (snapshot.State is BreakerState.Closed or BreakerState.Isolated
            || (snapshot.State == BreakerState.Open && snapshot.RetryAt > breakers.Time.GetUtcNow()))
        {
            return await ExecuteCore(callback, context, state);
        }

        if (!await breakers.TryAcquireProbeAsync(breaker))
        {
            breaker.ProbeDeniedUntil = (breakers.Time.GetUtcNow() + breakers.ReportInterval).UtcTicks;
            breaker.RecordRejection();
            return Outcome.FromException<TResult>(new BrokenCircuitException(
                $"Circuit breaker '{breaker.Name}' is half-open and its probes are taken; retry shortly."));
        }

        var outcome = await callback(context, state);
        try
        {
            await breakers.ReportProbeAsync(breaker, outcome.Exception is not { } ex || !shouldHandle(ex));
        }
        catch (Exception reportFailure) when (reportFailure is not OperationCanceledException)
        {
            // The call was made: its caller gets its real outcome. The grain takes the unreported
            // probe back after one break duration, and the next refresh brings the view up to date.
        }

        return outcome;
    }
}

public static class ClusterCircuitBreakerPipelineExtensions
{
    /// <summary>
    /// Guards every call through the pipeline with the cluster-wide breaker <paramref name="name"/>.
    /// Exceptions count as failures unless <paramref name="shouldHandle"/> says otherwise;
    /// cancellation never does.
    /// </summary>
    public static TBuilder AddClusterCircuitBreaker<TBuilder>(this TBuilder builder, ClusterCircuitBreakers breakers, string name,
        Func<Exception, bool>? shouldHandle = null)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        var breaker = breakers.Get(name);
        var handle = shouldHandle ?? (ex => ex is not OperationCanceledException);
        return builder.AddStrategy(_ => new ClusterCircuitBreakerStrategy(breakers, breaker, handle));
    }
}
