using OrleansAgents.Collective;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// What a decided round teaches the collective. Only the agents whose answer was chosen rate, and
/// they rate every other agent that answered: satisfied with those who agreed, unsatisfied with
/// those who dissented (agents that failed or timed out are rated by their tasks' outcomes, not
/// here). In EigenTrust a rating counts as much as its rater's own global trust, so a swarm's
/// verdict is worth what its winning side is trusted; a rater's row is normalised, so many rounds
/// move trust towards the peers it keeps agreeing with. Each rating's event id is
/// <c>consensus:{roundId}:{target}</c>, so repeating the follow-up records nothing twice.
/// </summary>
public static class ConsensusRatings
{
    public static IReadOnlyList<TrustRating> For(string roundId, IReadOnlyCollection<string> answered, IReadOnlySet<string> agreeing) =>
    [
        .. agreeing.Order(StringComparer.Ordinal).SelectMany(rater => answered
            .Where(target => target != rater)
            .Order(StringComparer.Ordinal)
            .Select(target => agreeing.Contains(target)
                ? new TrustRating(rater, target, TrustOutcome.Satisfied, 1, "consensus agreed", EventId(roundId, target))
                : new TrustRating(rater, target, TrustOutcome.Unsatisfied, 1, "consensus dissented", EventId(roundId, target)))),
    ];

    /// <summary>One undirected consensus edge per pair of agents that answered: positive when both gave the same answer.</summary>
    public static IReadOnlyList<NetworkEdge> Edges(IReadOnlyDictionary<string, string> answers)
    {
        var ids = answers.Keys.Order(StringComparer.Ordinal).ToArray();
        var edges = new List<NetworkEdge>(ids.Length * (ids.Length - 1) / 2);
        for (var i = 0; i < ids.Length; i++)
        {
            for (var j = i + 1; j < ids.Length; j++)
            {
                var same = answers[ids[i]] == answers[ids[j]];
                edges.Add(new NetworkEdge(ids[i], ids[j], NetworkEdgeKind.Consensus, 1, same ? 1 : 0, same ? 0 : 1));
            }
        }

        return edges;
    }

    private static string EventId(string roundId, string target) => "consensus:" + roundId + ":" + target;
}
