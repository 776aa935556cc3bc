using Microsoft.Extensions.Options;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>Settings of EigenTrust reputation, section <c>Trust</c>.</summary>
public sealed class TrustOptions
{
    public const string Section = "Trust";

    /// <summary>Weight a of the pre-trusted distribution: t = (1 − a)·Cᵀ·t + a·p.</summary>
    public double Alpha { get; set; } = 0.15;

    /// <summary>The iteration stops when the L1 change of t falls below this.</summary>
    public double Epsilon { get; set; } = 1e-6;

    public int MaxIterations { get; set; } = 100;

    /// <summary>Agents trusted a priori; with the users' peer (when it has rated anyone) they form p.</summary>
    public List<string> PreTrusted { get; set; } = [];

    /// <summary>Row grains a partition reads at once while loading (bounded fan-out).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Partition grains the rows are staged in for the iterations.</summary>
    public int Partitions { get; set; } = 4;

    /// <summary>Event ids each row remembers to drop repeated outcomes (at-least-once delivery).</summary>
    public int RecentEventsPerRow { get; set; } = 4096;

    /// <summary>How long each silo's trust reader reuses the stored snapshot.</summary>
    public TimeSpan ReadCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the router's selector reuses trust scores.</summary>
    public TimeSpan RoutingCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of routed decisions that ignore trust (least loaded first), so newcomers build a record.</summary>
    public double RoutingExploration { get; set; } = 0.1;

    /// <summary>Domains the periodic job recomputes.</summary>
    public List<string> Domains { get; set; } = [TrustRules.DefaultDomain];
}

internal sealed class TrustOptionsValidator : IValidateOptions<TrustOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustOptions o)
    {
        var errors = new List<string>();
        if (!(o.Alpha > 0 && o.Alpha < 1))
        {
            errors.Add($"{TrustOptions.Section}:Alpha must be between 0 and 1, exclusive (was {o.Alpha}).");
        }

        if (!(o.Epsilon >= 0 && double.IsFinite(o.Epsilon)))
        {
            errors.Add($"{TrustOptions.Section}:Epsilon must be a finite number ≥ 0 (was {o.Epsilon}).");
        }

        Range(o.MaxIterations, 1, 10_000, nameof(o.MaxIterations));
        Range(o.BatchSize, 1, 10_000, nameof(o.BatchSize));
        Range(o.Partitions, 1, 256, nameof(o.Partitions));
        Range(o.RecentEventsPerRow, 0, 1_000_000, nameof(o.RecentEventsPerRow));
        if (!(o.RoutingExploration >= 0 && o.RoutingExploration <= 1))
        {
            errors.Add($"{TrustOptions.Section}:RoutingExploration must be between 0 and 1 (was {o.RoutingExploration}).");
        }

        if (o.ReadCacheDuration < TimeSpan.Zero || o.RoutingCacheDuration < TimeSpan.Zero)
        {
            errors.Add($"{TrustOptions.Section}:ReadCacheDuration and RoutingCacheDuration must not be negative.");
        }

        errors.AddRange(o.PreTrusted.Where(id => !OrleansAgents.Agents.AgentRules.IsValidId(id))
            .Select(id => $"{TrustOptions.Section}:PreTrusted has '{id}', which is not an agent id."));
        errors.AddRange(o.Domains.Where(d => !TrustRules.IsValidDomain(d))
            .Select(d => $"{TrustOptions.Section}:Domains has '{d}', which does not match {TrustRules.DomainPattern}."));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Range(int value, int min, int max, string key)
        {
            if (value < min || value > max)
            {
                errors.Add($"{TrustOptions.Section}:{key} must be {min}–{max} (was {value}).");
            }
        }
    }
}
