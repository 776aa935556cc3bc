using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Collective;

/// <summary>Settings of the collaboration network's analytics, section <c>Collective</c>.</summary>
public sealed class CollectiveOptions
{
    public const string Section = "Collective";

    /// <summary>Most nodes (highest weighted degree first) the analytics consider; Brandes costs O(n·m).</summary>
    [Range(2, 5000)]
    public int MaxAnalysisNodes { get; set; } = 500;

    /// <summary>How long a computed network is served again before it is recomputed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", OptionBounds.MaxTimeSpan)]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Age after which the community baseline (what "new" is compared with) is replaced by the current communities.</summary>
    [Range(typeof(TimeSpan), "00:00:00", OptionBounds.MaxTimeSpan)]
    public TimeSpan BaselineInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Event ids each shard remembers to drop repeated deliveries.</summary>
    [Range(0, int.MaxValue)]
    public int RecentEventsPerShard { get; set; } = 4096;

    [Range(2, int.MaxValue)]
    public int CollusionMinMembers { get; set; } = 3;

    /// <summary>Share of ordered member pairs that must rate each other satisfied (net).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double CollusionMinDensity { get; set; } = 0.6;

    /// <summary>The warning needs outsiders' satisfied share at or below this…</summary>
    [Range(0.0, 1.0)]
    public double CollusionMaxOutsideSatisfaction { get; set; } = 0.4;

    /// <summary>…over at least this much outside rating weight.</summary>
    [Range(0.0, double.MaxValue)]
    public double CollusionMinOutsideRatings { get; set; } = 3;
}

/// <summary>Generated from the data annotations above; registered through AddValidatedOptions, which names the config keys.</summary>
[OptionsValidator]
internal sealed partial class CollectiveOptionsValidator : IValidateOptions<CollectiveOptions>
{
}
