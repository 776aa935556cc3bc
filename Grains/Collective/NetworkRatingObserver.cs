using Microsoft.Extensions.Logging;
using OrleansAgents.Collective;
using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Collective;

/// <summary>
/// Rating edges: every rating an agent gives another agent in the default trust domain (users'
/// ratings are not agent collaboration). Best effort: a failure is logged, the rating stands.
/// </summary>
public sealed partial class NetworkRatingObserver(IGrainFactory grains, ILogger<NetworkRatingObserver> logger) : ITrustRatingObserver
{
    public async ValueTask RecordedAsync(string domain, IReadOnlyList<TrustRating> ratings)
    {
        if (domain != TrustRules.DefaultDomain)
        {
            return;
        }

        var edges = ratings.Where(r => NetworkRecorder.IsAgent(r.Rater) && NetworkRecorder.IsAgent(r.Target))
            .Select(r => new NetworkEdge(r.Rater, r.Target, NetworkEdgeKind.Rating, r.Weight,
                r.Outcome == TrustOutcome.Satisfied ? r.Weight : 0, r.Outcome == TrustOutcome.Satisfied ? 0 : r.Weight))
            .ToList();
        if (edges.Count == 0)
        {
            return;
        }

        try
        {
            // No event id: the row has already dropped repeats, and it calls observers once per stored batch.
            await NetworkRecorder.AddAsync(grains, null, edges);
        }
        catch (Exception ex)
        {
            LogFailed(ex, ratings[0].Rater);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rating edges of rater {AgentId} were not added to the collaboration network")]
    private partial void LogFailed(Exception ex, string agentId);
}
