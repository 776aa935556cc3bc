namespace OrleansAgents.Jobs;

/// <summary>
/// Names of the built-in periodic jobs (the keys of <see cref="IPeriodicJobGrain"/>, the names the
/// API's /api/jobs accepts and the <c>Jobs:{Name}</c> configuration sections), with their default intervals.
/// </summary>
public static class JobRules
{
    /// <summary>Marks agents with stale heartbeats unhealthy (default every 5 min).</summary>
    public const string HealthSweep = "agents.health-sweep";

    /// <summary>
    /// The trust recompute hook (default every 10 min): runs every registered trust recomputation
    /// (the trust feature adds its own with AddTrustRecomputation).
    /// </summary>
    public const string TrustRecompute = "trust.recompute";

    public static readonly TimeSpan HealthSweepInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan TrustRecomputeInterval = TimeSpan.FromMinutes(10);

    /// <summary>Every built-in job, in the order /api/jobs lists them.</summary>
    public static readonly IReadOnlyList<string> BuiltIn = [HealthSweep, TrustRecompute];
}
