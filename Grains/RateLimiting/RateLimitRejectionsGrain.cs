using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.RateLimiting;

/// <summary>
/// One minute's rejection counts, in memory (see <see cref="IRateLimitRejectionsGrain"/>). Bounded:
/// past <see cref="RateLimitingOptions.MaxTrackedRejections"/> keys, a new key with more rejections replaces the one with
/// the fewest rejections, so the top of the list survives a flood of distinct callers.
/// </summary>
public sealed class RateLimitRejectionsGrain(IOptions<RateLimitingOptions> options) : Grain, IRateLimitRejectionsGrain
{
    private readonly Dictionary<string, RateLimitRejections> _counts = new(StringComparer.Ordinal);

    public Task AddAsync(string key, string tier, long rejections, DateTimeOffset lastAt)
    {
        if (rejections < 1)
        {
            return Task.CompletedTask;
        }

        if (_counts.TryGetValue(key, out var known))
        {
            _counts[key] = new RateLimitRejections(key, tier, known.Rejections + rejections, lastAt > known.LastAt ? lastAt : known.LastAt);
            return Task.CompletedTask;
        }

        if (_counts.Count >= options.Value.MaxTrackedRejections)
        {
            var fewest = _counts.Values.MinBy(c => c.Rejections)!;
            if (fewest.Rejections >= rejections)
            {
                return Task.CompletedTask;
            }

            _counts.Remove(fewest.Key);
        }

        _counts[key] = new RateLimitRejections(key, tier, rejections, lastAt);
        return Task.CompletedTask;
    }

    public ValueTask<IReadOnlyList<RateLimitRejections>> GetTopAsync(int limit) =>
        ValueTask.FromResult<IReadOnlyList<RateLimitRejections>>(
            [.. _counts.Values.OrderByDescending(c => c.Rejections).ThenBy(c => c.Key, StringComparer.Ordinal).Take(Math.Clamp(limit, 1, RateLimitRules.MaxTopLimited))]);
}
