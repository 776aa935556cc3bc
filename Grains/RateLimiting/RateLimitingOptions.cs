using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.RateLimiting;

/// <summary>Limits of one tier. A request must fit all of them.</summary>
public sealed class TierLimits
{
    public long PerMinute { get; set; }
    public long PerHour { get; set; }
    public long PerDay { get; set; }
    public long AiTokensPerDay { get; set; }
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
        ["free"] = new() { PerMinute = 10, PerHour = 100, PerDay = 500, AiTokensPerDay = 50_000 },
        ["basic"] = new() { PerMinute = 30, PerHour = 500, PerDay = 5_000, AiTokensPerDay = 500_000 },
        ["pro"] = new() { PerMinute = 100, PerHour = 2_000, PerDay = 20_000, AiTokensPerDay = 2_000_000 },
        ["enterprise"] = new() { PerMinute = 1_000, PerHour = 10_000, PerDay = 100_000, AiTokensPerDay = 10_000_000 },
        ["anonymous"] = new() { PerMinute = 20, PerHour = 200, PerDay = 2_000, AiTokensPerDay = 0 },
    };

    /// <summary>
    /// A bucket writes its state once this many admissions are unsaved (and the write finishes
    /// before the admitting call returns). After a silo crash a bucket can therefore over-admit
    /// at most CheckpointEvery - 1 requests per window.
    /// </summary>
    public int CheckpointEvery { get; set; } = 20;

    /// <summary>Unsaved admissions fewer than CheckpointEvery are written after at most this long.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A lease to an API process holds at most PerMinute / LeaseDivisor units (at least the
    /// request's cost), so small tiers decide request by request and one API cannot sit on a
    /// user's whole minute.
    /// </summary>
    public int LeaseDivisor { get; set; } = 16;

    /// <summary>
    /// A bucket reports its rejections to the minute's IRateLimitRejectionsGrain at most this often
    /// (the first after a quiet spell at once, the rest batched), so a flood costs one call per interval.
    /// </summary>
    public TimeSpan RejectionReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Keys one minute's rejection count keeps; past it, a new key with more rejections replaces the one with the fewest.</summary>
    public int MaxTrackedRejections { get; set; } = 1000;

    public TierLimits LimitsOf(string? tier) =>
        Tiers.TryGetValue(tier ?? DefaultTier, out var limits) ? limits : Tiers[DefaultTier];
}

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions o)
    {
        var errors = new List<string>();
        if (!o.Tiers.ContainsKey(o.DefaultTier))
        {
            errors.Add($"RateLimiting:DefaultTier '{o.DefaultTier}' is not one of RateLimiting:Tiers ({string.Join(", ", o.Tiers.Keys)}).");
        }

        if (!o.Tiers.ContainsKey(o.AnonymousTier))
        {
            errors.Add($"RateLimiting:AnonymousTier '{o.AnonymousTier}' is not one of RateLimiting:Tiers ({string.Join(", ", o.Tiers.Keys)}).");
        }

        foreach (var (tier, l) in o.Tiers)
        {
            if (l.PerMinute < 1 || l.PerHour < 1 || l.PerDay < 1 || l.AiTokensPerDay < 0)
            {
                errors.Add($"RateLimiting:Tiers:{tier} needs PerMinute, PerHour and PerDay of at least 1 and AiTokensPerDay of at least 0.");
            }
        }

        if (o.CheckpointEvery < 1)
        {
            errors.Add($"RateLimiting:CheckpointEvery must be at least 1 (was {o.CheckpointEvery}).");
        }

        if (o.LeaseDivisor < 1)
        {
            errors.Add($"RateLimiting:LeaseDivisor must be at least 1 (was {o.LeaseDivisor}).");
        }

        if (o.CheckpointInterval <= TimeSpan.Zero)
        {
            errors.Add($"RateLimiting:CheckpointInterval must be positive (was {o.CheckpointInterval}).");
        }

        if (o.RejectionReportInterval <= TimeSpan.Zero || o.RejectionReportInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"RateLimiting:RejectionReportInterval must be positive and at most 00:01:00 (was {o.RejectionReportInterval}).");
        }

        if (o.MaxTrackedRejections is < RateLimitRules.MaxTopLimited or > 100_000)
        {
            errors.Add($"RateLimiting:MaxTrackedRejections must be {RateLimitRules.MaxTopLimited}-100000 (was {o.MaxTrackedRejections}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
