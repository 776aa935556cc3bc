using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Resilience;

/// <summary>How one breaker trips and recovers; the semantics of Polly v8's circuit breaker.</summary>
public sealed class BreakerSettings
{
    /// <summary>Break when failures / calls in the sampling window reach this (0-1].</summary>
    public double FailureRatio { get; set; } = 0.5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fewer calls than this in the window never break the circuit.</summary>
    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Each consecutive break lasts this many times longer than the previous one (1 = fixed).</summary>
    public double BreakDurationGrowth { get; set; } = 1.0;

    public TimeSpan MaxBreakDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Calls let through at once while half-open, cluster-wide.</summary>
    public int HalfOpenProbes { get; set; } = 1;

    public BreakerSettingsView ToView() => new(FailureRatio, SamplingDuration, MinimumThroughput, BreakDuration, BreakDurationGrowth, MaxBreakDuration, HalfOpenProbes);
}

/// <summary>A per-breaker override: only the fields that are set replace the defaults.</summary>
public sealed class BreakerOverride
{
    public string Name { get; set; } = "";
    public double? FailureRatio { get; set; }
    public TimeSpan? SamplingDuration { get; set; }
    public int? MinimumThroughput { get; set; }
    public TimeSpan? BreakDuration { get; set; }
    public double? BreakDurationGrowth { get; set; }
    public TimeSpan? MaxBreakDuration { get; set; }
    public int? HalfOpenProbes { get; set; }
}

/// <summary>
/// Section <c>CircuitBreakers</c>. Breaker names contain ':' (the configuration separator), so
/// overrides are a list with a Name each rather than a map keyed by name.
/// </summary>
public sealed class CircuitBreakerOptions
{
    public const string Section = "CircuitBreakers";

    public BreakerSettings Defaults { get; set; } = new();

    public List<BreakerOverride> Overrides { get; set; } = [];

    /// <summary>Transitions kept per breaker.</summary>
    [Range(1, 1000)]
    public int HistorySize { get; set; } = 50;

    /// <summary>How often each process sends its batched outcomes (and refreshes its view).</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often each process re-reads every breaker even without a push: bounds staleness.</summary>
    // Every silo must see a transition within 1 s.
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, "00:00:01")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public BreakerSettings For(string name)
    {
        var d = Defaults;
        var o = Overrides.LastOrDefault(x => x.Name == name);
        return o is null ? d : new BreakerSettings
        {
            FailureRatio = o.FailureRatio ?? d.FailureRatio,
            SamplingDuration = o.SamplingDuration ?? d.SamplingDuration,
            MinimumThroughput = o.MinimumThroughput ?? d.MinimumThroughput,
            BreakDuration = o.BreakDuration ?? d.BreakDuration,
            BreakDurationGrowth = o.BreakDurationGrowth ?? d.BreakDurationGrowth,
            MaxBreakDuration = o.MaxBreakDuration ?? d.MaxBreakDuration,
            HalfOpenProbes = o.HalfOpenProbes ?? d.HalfOpenProbes,
        };
    }
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="BreakerFailures"/> (the defaults and each
/// override, merged as a breaker sees them) is added in <c>AddClusterCircuitBreakers</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class CircuitBreakerOptionsValidator : IValidateOptions<CircuitBreakerOptions>
{
    internal static IEnumerable<string> BreakerFailures(CircuitBreakerOptions o)
    {
        var errors = new List<string>();
        Check("CircuitBreakers:Defaults", o.Defaults, errors);
        for (var i = 0; i < o.Overrides.Count; i++)
        {
            if (!BreakerRules.IsValidName(o.Overrides[i].Name))
            {
                errors.Add($"CircuitBreakers:Overrides:{i}:Name must match {BreakerRules.NamePattern} (was '{o.Overrides[i].Name}').");
            }

            Check($"CircuitBreakers:Overrides:{i}", o.For(o.Overrides[i].Name), errors);
        }

        return errors;
    }

    private static void Check(string path, BreakerSettings s, List<string> errors)
    {
        (bool Bad, string Message)[] rules =
        [
            (s.FailureRatio is <= 0 or > 1, $"{path}:FailureRatio must be in (0, 1] (was {s.FailureRatio})."),
            (s.SamplingDuration < TimeSpan.FromMilliseconds(500), $"{path}:SamplingDuration must be at least 0.5 s (was {s.SamplingDuration})."),
            (s.MinimumThroughput < 2, $"{path}:MinimumThroughput must be at least 2 (was {s.MinimumThroughput})."),
            (s.BreakDuration < TimeSpan.FromMilliseconds(100), $"{path}:BreakDuration must be at least 0.1 s (was {s.BreakDuration})."),
            (s.BreakDurationGrowth < 1, $"{path}:BreakDurationGrowth must be at least 1 (was {s.BreakDurationGrowth})."),
            (s.MaxBreakDuration < s.BreakDuration, $"{path}:MaxBreakDuration must be at least BreakDuration."),
            (s.HalfOpenProbes is < 1 or > 100, $"{path}:HalfOpenProbes must be 1-100 (was {s.HalfOpenProbes})."),
        ];
        errors.AddRange(rules.Where(r => r.Bad).Select(r => r.Message));
    }
}
