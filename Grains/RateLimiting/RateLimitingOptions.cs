using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.RateLimiting;

/// <summary>Limits of one tier. A request must fit all of them.</summary>
public sealed class TierLimits
{
    public long PerMinute { get; set; }
    public long PerHour { get; set; }
    public long PerDay { get; set; }
    public long AiTokensPerDay { get; set; }

    /// <summary>
    /// What the user's hosted-agent turns may cost per UTC day, in USD from the price table
    /// (Skills:Llm:Prices), delegates' turns included; null: no USD budget (the token quota still applies).
    /// </summary>
    public decimal? UsdPerDay { get; set; }
}

/// <summary>Section <c>RateLimiting</c> as the silo reads it: tiers and the checkpoint policy.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    public string DefaultTier { get; set; } = "free";

    /// <summary>
    /// The tier of anonymous buckets (login and refresh per client address, logins per user name),
    /// kept apart from <see cref="DefaultTier"/>: a raised default for users must not raise what a
    /// stranger may try, and an office behind one NAT address needs more than a free user does.
    /// </summary>
    public string AnonymousTier { get; set; } = "anonymous";

    /// <summary>Configuration adds tiers or overrides these defaults field by field.</summary>
    public Dictionary<string, TierLimits> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = new() { PerMinute = 10, PerHour = 100, PerDay = 500, AiTokensPerDay = 50_000, UsdPerDay = 1m },
        ["basic"] = new() { PerMinute = 30, PerHour = 500, PerDay = 5_000, AiTokensPerDay = 500_000, UsdPerDay = 10m },
        ["pro"] = new() { PerMinute = 100, PerHour = 2_000, PerDay = 20_000, AiTokensPerDay = 2_000_000, UsdPerDay = 50m },
        ["enterprise"] = new() { PerMinute = 1_000, PerHour = 10_000, PerDay = 100_000, AiTokensPerDay = 10_000_000, UsdPerDay = 500m },
        ["anonymous"] = new() { PerMinute = 20, PerHour = 200, PerDay = 2_000, AiTokensPerDay = 0, UsdPerDay = 0m },
    };

    /// <summary>
    /// A bucket writes its state once this many admissions are unsaved (and the write finishes
    /// before the admitting call returns). After a silo crash a bucket can therefore over-admit
    /// at most CheckpointEvery - 1 requests per window.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int CheckpointEvery { get; set; } = 20;

    /// <summary>Unsaved admissions fewer than CheckpointEvery are written after at most this long.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A lease to an API process holds at most PerMinute / LeaseDivisor units (at least the
    /// request's cost), so small tiers decide request by request and one API cannot sit on a
    /// user's whole minute.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int LeaseDivisor { get; set; } = 16;

    /// <summary>
    /// A bucket reports its rejections to the minute's IRateLimitRejectionsGrain at most this often
    /// (the first after a quiet spell at once, the rest batched), so a flood costs one call per interval.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, "00:01:00")]
    public TimeSpan RejectionReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Keys one minute's rejection count keeps; past it, a new key with more rejections replaces the one with the fewest.</summary>
    public int MaxTrackedRejections { get; set; } = 1000;

    public TierLimits LimitsOf(string? tier) =>
        Tiers.TryGetValue(tier ?? DefaultTier, out var limits) ? limits : Tiers[DefaultTier];
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="TierFailures"/> (the named tiers exist, each
/// tier's limits, the tracked-rejections bound that depends on RateLimitRules) is added in <c>AddRateLimiting</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    internal static IEnumerable<string> TierFailures(RateLimitingOptions o)
    {
        if (!o.Tiers.ContainsKey(o.DefaultTier))
        {
            yield return $"RateLimiting:DefaultTier '{o.DefaultTier}' is not one of RateLimiting:Tiers ({string.Join(", ", o.Tiers.Keys)}).";
        }

        if (!o.Tiers.ContainsKey(o.AnonymousTier))
        {
            yield return $"RateLimiting:AnonymousTier '{o.AnonymousTier}' is not one of RateLimiting:Tiers ({string.Join(", ", o.Tiers.Keys)}).";
        }

        foreach (var (tier, l) in o.Tiers)
        {
            if (l.PerMinute < 1 || l.PerHour < 1 || l.PerDay < 1 || l.AiTokensPerDay < 0)
            {
                yield return $"RateLimiting:Tiers:{tier} needs PerMinute, PerHour and PerDay of at least 1 and AiTokensPerDay of at least 0.";
            }

            if (l.UsdPerDay is < 0)
            {
                yield return $"RateLimiting:Tiers:{tier}:UsdPerDay must be at least 0 when set (was {l.UsdPerDay}).";
            }
        }

        if (o.MaxTrackedRejections is < RateLimitRules.MaxTopLimited or > 100_000)
        {
            yield return $"RateLimiting:MaxTrackedRejections must be {RateLimitRules.MaxTopLimited}-100000 (was {o.MaxTrackedRejections}).";
        }
    }
}
