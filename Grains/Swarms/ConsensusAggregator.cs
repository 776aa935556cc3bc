using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>One received answer, canonical (see <see cref="ConsensusCanonicalJson"/>).</summary>
public sealed record class ConsensusVote(string AgentId, string Answer, double Trust);

/// <summary>The chosen answer, its support among the answers and who gave it.</summary>
public sealed record class ConsensusDecision(string Answer, double AgreementRatio, IReadOnlySet<string> Agreeing);

/// <summary>
/// Picks an answer from the votes. Majority: most votes; trust-weighted: largest sum of the voters'
/// global trust; best-score: highest score of the scoring skill (answers without a score cannot
/// win). Ties go to the larger vote count, then the smaller canonical answer (ordinal), so the
/// same votes always give the same decision.
/// </summary>
public static class ConsensusAggregator
{
    public static ConsensusDecision? Decide(
        ConsensusAggregation aggregation, IReadOnlyList<ConsensusVote> votes, IReadOnlyDictionary<string, double>? scores = null)
    {
        if (votes.Count == 0)
        {
            return null;
        }

        var groups = votes.GroupBy(v => v.Answer, StringComparer.Ordinal)
            .Select(g => (Answer: g.Key, Count: g.Count(), Trust: g.Sum(v => v.Trust),
                Score: scores is not null && scores.TryGetValue(g.Key, out var s) ? s : (double?)null))
            .ToList();
        if (aggregation == ConsensusAggregation.BestScore)
        {
            groups.RemoveAll(g => g.Score is null);
            if (groups.Count == 0)
            {
                return null;
            }
        }

        var best = groups
            .OrderByDescending(g => aggregation switch
            {
                ConsensusAggregation.TrustWeighted => g.Trust,
                ConsensusAggregation.BestScore => g.Score!.Value,
                _ => g.Count,
            })
            .ThenByDescending(g => g.Count)
            .ThenBy(g => g.Answer, StringComparer.Ordinal)
            .First();
        var agreeing = votes.Where(v => v.Answer == best.Answer).Select(v => v.AgentId).ToHashSet(StringComparer.Ordinal);
        return new ConsensusDecision(best.Answer, agreeing.Count / (double)votes.Count, agreeing);
    }
}
