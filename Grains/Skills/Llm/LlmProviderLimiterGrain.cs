using Microsoft.Extensions.Options;
using OrleansAgents.Skills;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>
/// A token bucket per provider, kept in memory only: after a crash the new activation starts
/// full, so the provider may see at most one extra minute's budget, and an idle minute refills
/// the bucket anyway. One grain call per LLM request is cheap next to the request itself.
/// </summary>
public sealed class LlmProviderLimiterGrain(IOptions<LlmOptions> options, TimeProvider time) : Grain, ILlmProviderLimiterGrain
{
    private double _tokens = double.NaN;
    private DateTimeOffset _updated;

    public ValueTask<TimeSpan> TryAcquireAsync()
    {
        var provider = this.GetPrimaryKeyString();
        if (!options.Value.Providers.TryGetValue(provider, out var settings))
        {
            throw new InvalidOperationException($"LLM provider '{provider}' is not configured.");
        }

        var capacity = (double)settings.RequestsPerMinute;
        var perSecond = capacity / 60;
        var now = time.GetUtcNow();
        _tokens = double.IsNaN(_tokens) ? capacity : Math.Min(capacity, _tokens + Math.Max(0, (now - _updated).TotalSeconds) * perSecond);
        _updated = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return ValueTask.FromResult(TimeSpan.Zero);
        }

        return ValueTask.FromResult(TimeSpan.FromSeconds(Math.Max((1 - _tokens) / perSecond, 0.001)));
    }
}
