using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Collective;

/// <summary>Settings of the collaboration network's analytics, section <c>Collective</c>.</summary>
public sealed class CollectiveOptions
{
    public const string Section = "Collective";

    /// <summary>Most nodes (highest weighted degree first) the analytics consider; Brandes costs O(n·m).</summary>
    public int MaxAnalysisNodes { get; set; } = 500;

    /// <summary>How long a computed network is served again before it is recomputed.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Age after which the community baseline (what "new" is compared with) is replaced by the current communities.</summary>
    public TimeSpan BaselineInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Event ids each shard remembers to drop repeated deliveries.</summary>
    public int RecentEventsPerShard { get; set; } = 4096;

    public int CollusionMinMembers { get; set; } = 3;

    /// <summary>Share of ordered member pairs that must rate each other satisfied (net).</summary>
    public double CollusionMinDensity { get; set; } = 0.6;

    /// <summary>The warning needs outsiders' satisfied share at or below this…</summary>
    public double CollusionMaxOutsideSatisfaction { get; set; } = 0.4;

    /// <summary>…over at least this much outside rating weight.</summary>
    public double CollusionMinOutsideRatings { get; set; } = 3;
}

internal sealed class CollectiveOptionsValidator : IValidateOptions<CollectiveOptions>
{
    public ValidateOptionsResult Validate(string? name, CollectiveOptions o)
    {
        var errors = new List<string>();
        if (o.MaxAnalysisNodes < 2 || o.MaxAnalysisNodes > 5000)
        {
            errors.Add($"{CollectiveOptions.Section}:MaxAnalysisNodes must be 2–5000 (was {o.MaxAnalysisNodes}).");
        }

        if (o.CacheDuration < TimeSpan.Zero || o.BaselineInterval < TimeSpan.Zero)
        {
            errors.Add($"{CollectiveOptions.Section}:CacheDuration and BaselineInterval must not be negative.");
        }

        if (o.RecentEventsPerShard < 0 || o.CollusionMinMembers < 2)
        {
            errors.Add($"{CollectiveOptions.Section}:RecentEventsPerShard must be ≥ 0 and CollusionMinMembers ≥ 2.");
        }

        if (!(o.CollusionMinDensity is > 0 and <= 1) || !(o.CollusionMaxOutsideSatisfaction is >= 0 and <= 1) || !(o.CollusionMinOutsideRatings >= 0))
        {
            errors.Add($"{CollectiveOptions.Section}: CollusionMinDensity must be in (0, 1], CollusionMaxOutsideSatisfaction in [0, 1], CollusionMinOutsideRatings ≥ 0.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
