using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>Settings of EigenTrust reputation, section <c>Trust</c>.</summary>
public sealed class TrustOptions
{
    public const string Section = "Trust";

    /// <summary>Weight a of the pre-trusted distribution: t = (1 − a)·Cᵀ·t + a·p.</summary>
    public double Alpha { get; set; } = 0.15;

    /// <summary>The iteration stops when the L1 change of t falls below this.</summary>
    [Range(0.0, double.MaxValue)]
    public double Epsilon { get; set; } = 1e-6;

    [Range(1, 10_000)]
    public int MaxIterations { get; set; } = 100;

    /// <summary>Agents trusted a priori; with the users' peer (when it has rated anyone) they form p.</summary>
    public List<string> PreTrusted { get; set; } = [];

    /// <summary>Row grains a partition reads at once while loading (bounded fan-out).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 256;

    /// <summary>Partition grains the rows are staged in for the iterations.</summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 4;

    /// <summary>Event ids each row remembers to drop repeated outcomes (at-least-once delivery).</summary>
    [Range(0, 1_000_000)]
    public int RecentEventsPerRow { get; set; } = 4096;

    /// <summary>How long each silo's trust reader reuses the stored snapshot.</summary>
    [Range(typeof(TimeSpan), "00:00:00", OptionBounds.MaxTimeSpan)]
    public TimeSpan ReadCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the router's selector reuses trust scores.</summary>
    [Range(typeof(TimeSpan), "00:00:00", OptionBounds.MaxTimeSpan)]
    public TimeSpan RoutingCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of routed decisions that ignore trust (least loaded first), so newcomers build a record.</summary>
    [Range(0.0, 1.0)]
    public double RoutingExploration { get; set; } = 0.1;

    /// <summary>Domains the periodic job recomputes.</summary>
    public List<string> Domains { get; set; } = [TrustRules.DefaultDomain];
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="OtherFailures"/> (Alpha's open interval and
/// the lists' items, which the annotations cannot state) is added in <c>AddTrust</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class TrustOptionsValidator : IValidateOptions<TrustOptions>
{
    internal static IEnumerable<string> OtherFailures(TrustOptions o)
    {
        if (!(o.Alpha > 0 && o.Alpha < 1))
        {
            yield return $"{TrustOptions.Section}:Alpha must be between 0 and 1, exclusive (was {o.Alpha}).";
        }

        foreach (var id in o.PreTrusted.Where(id => !OrleansAgents.Agents.AgentRules.IsValidId(id)))
        {
            yield return $"{TrustOptions.Section}:PreTrusted has '{id}', which is not an agent id.";
        }

        foreach (var d in o.Domains.Where(d => !TrustRules.IsValidDomain(d)))
        {
            yield return $"{TrustOptions.Section}:Domains has '{d}', which does not match {TrustRules.DomainPattern}.";
        }
    }
}
