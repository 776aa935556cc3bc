namespace OrleansAgents.Api.Apis;

public static partial class CircuitBreakersApi
{
    public sealed record ReasonRequest(string? Reason);

    /// <summary>A breaker as the API shows it: durations in seconds, like the rate-limit endpoints.</summary>
    public sealed record BreakerResponse(
        string Name, BreakerState State, DateTimeOffset? RetryAt, long Successes, long Failures, long Rejections,
        int WindowThroughput, double WindowFailureRatio, int ConsecutiveBreaks, BreakerSettingsResponse Settings,
        IReadOnlyList<BreakerTransition> Transitions)
    {
        public static BreakerResponse From(BreakerView v) => new(v.Name, v.State, v.RetryAt, v.Successes, v.Failures, v.Rejections,
            v.WindowThroughput, v.WindowFailureRatio, v.ConsecutiveBreaks, BreakerSettingsResponse.From(v.Settings), v.Transitions);
    }

    public sealed record BreakerSettingsResponse(
        double FailureRatio, double SamplingDurationSeconds, int MinimumThroughput, double BreakDurationSeconds,
        double BreakDurationGrowth, double MaxBreakDurationSeconds, int HalfOpenProbes)
    {
        public static BreakerSettingsResponse From(BreakerSettingsView s) => new(s.FailureRatio, s.SamplingDuration.TotalSeconds,
            s.MinimumThroughput, s.BreakDuration.TotalSeconds, s.BreakDurationGrowth, s.MaxBreakDuration.TotalSeconds, s.HalfOpenProbes);
    }
}
