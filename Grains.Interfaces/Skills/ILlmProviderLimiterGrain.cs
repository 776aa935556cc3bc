namespace OrleansAgents.Skills;

/// <summary>
/// The cluster-wide request budget of one LLM provider (key: provider name): a token bucket of
/// <c>RequestsPerMinute</c> requests, refilled continuously.
/// </summary>
[Alias("OrleansAgents.ILlmProviderLimiterGrain")]
public interface ILlmProviderLimiterGrain : IGrainWithStringKey
{
    /// <summary>Takes one request from the budget: <see cref="TimeSpan.Zero"/> when granted, else how long until one is.</summary>
    [Alias("TryAcquire")]
    ValueTask<TimeSpan> TryAcquireAsync();
}
