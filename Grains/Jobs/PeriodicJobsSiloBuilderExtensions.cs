using OrleansAgents.Grains.Jobs;
using OrleansAgents.Jobs;

// In the hosting namespace so AddAgentsSilo calls it without another using.
namespace OrleansAgents.Grains.Hosting;

public static class PeriodicJobsSiloBuilderExtensions
{
    /// <summary>
    /// The cluster's periodic jobs (the health sweep, the trust recompute) and the start-up task that gives each
    /// its reminder. On the silo builder because scheduling is a silo start-up task.
    /// </summary>
    public static ISiloBuilder AddPeriodicJobs(this ISiloBuilder builder)
    {
        builder.Services.AddPeriodicJob<HealthSweepJob>(JobRules.HealthSweep, JobRules.HealthSweepInterval);
        builder.Services.AddPeriodicJob<TrustRecomputeJob>(JobRules.TrustRecompute, JobRules.TrustRecomputeInterval);
        return builder.AddPeriodicJobScheduling();
    }
}
