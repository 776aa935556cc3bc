using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Turns finished tasks into ratings of the agent that ran them, in the default domain:
/// succeeded → satisfied, failed or dead-lettered → unsatisfied, cancelled → nothing (it says
/// nothing about the agent). The rater is the agent named by an <c>agent:{id}</c> origin, else
/// the users' peer. Keyed by <c>task:{id}</c>, so a repeated call is not counted twice.
/// Every user-submitted task rates the same row (the users' peer), so a silo's ratings for a row
/// travel together: one call per row at a time, carrying what finished meanwhile.
/// </summary>
public sealed class TrustOutcomeSink(IGrainFactory grains) : ITaskOutcomeSink
{
    public const string AgentOriginPrefix = "agent:";

    private readonly CallCoalescer<TrustRating> _rows = new(
        (row, ratings) => grains.GetGrain<ILocalTrustGrain>(row).RecordAsync(ratings), TrustRules.MaxBatch);

    public async ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken)
    {
        TrustOutcome? verdict = outcome.State switch
        {
            TaskState.Succeeded => TrustOutcome.Satisfied,
            TaskState.Failed or TaskState.DeadLettered => TrustOutcome.Unsatisfied,
            _ => null,
        };
        if (verdict is null || !AgentRules.IsValidId(outcome.AgentId))
        {
            return;
        }

        var rater = RaterOf(outcome);
        if (rater == outcome.AgentId)
        {
            return;
        }

        var rating = new TrustRating(rater, outcome.AgentId, verdict.Value, 1, "task " + TaskMetrics.Label(outcome.State), "task:" + outcome.TaskId);
        await _rows.SendAsync(TrustRules.RowKey(TrustRules.DefaultDomain, rater), rating);
    }

    public static string RaterOf(TaskOutcome outcome) =>
        outcome.Origin is { } origin && origin.StartsWith(AgentOriginPrefix, StringComparison.Ordinal)
            && AgentRules.IsValidId(origin[AgentOriginPrefix.Length..])
            ? origin[AgentOriginPrefix.Length..]
            : TrustRules.UsersPeer;
}
