using OrleansAgents.Grains.Swarms;
using OrleansAgents.Swarms;

namespace OrleansAgents.Tests.Swarms;

public sealed class ConsensusAggregationTests
{
    [Theory]
    [InlineData("""{"b":1,"a":[1.0,"x"]}""", """{"a":[1,"x"],"b":1}""")]
    [InlineData(""" { "n": 1e2, "z": -0.0, "s": "\u00e9" } """, """{"n":100,"s":"é","z":0}""")]
    [InlineData("""{"a":{"d":true,"c":null}}""", """{"a":{"c":null,"d":true}}""")]
    [InlineData("[3,2,1]", "[3,2,1]")]
    public void Canonical_SortsKeys_NormalisesNumbers_AndKeepsArrayOrder(string json, string canonical) =>
        Assert.Equal(canonical, ConsensusCanonicalJson.Canonicalize(json));

    [Fact]
    public void Canonical_DistinguishesDifferentValues()
    {
        Assert.NotEqual(ConsensusCanonicalJson.Canonicalize("[1,2]"), ConsensusCanonicalJson.Canonicalize("[2,1]"));
        Assert.NotEqual(ConsensusCanonicalJson.Canonicalize("\"1\""), ConsensusCanonicalJson.Canonicalize("1"));
    }

    private static readonly ConsensusVote[] Votes =
    [
        new("a", "1", 0.05), new("b", "1", 0.05), new("c", "1", 0.05), new("d", "2", 0.5), new("e", "3", 0.1),
    ];

    [Fact]
    public void Majority_TakesTheMostVotes_TrustWeighted_TheMostTrust()
    {
        var majority = ConsensusAggregator.Decide(ConsensusAggregation.Majority, Votes)!;
        Assert.Equal("1", majority.Answer);
        Assert.Equal(0.6, majority.AgreementRatio, 10);
        Assert.Equal(["a", "b", "c"], majority.Agreeing.Order());

        var weighted = ConsensusAggregator.Decide(ConsensusAggregation.TrustWeighted, Votes)!;
        Assert.Equal("2", weighted.Answer);
        Assert.Equal(0.2, weighted.AgreementRatio, 10);
    }

    [Fact]
    public void BestScore_IgnoresUnscoredAnswers_AndNeedsOneScore()
    {
        var decision = ConsensusAggregator.Decide(ConsensusAggregation.BestScore, Votes, new Dictionary<string, double> { ["1"] = 0.2, ["3"] = 0.9 })!;
        Assert.Equal("3", decision.Answer);
        Assert.Null(ConsensusAggregator.Decide(ConsensusAggregation.BestScore, Votes, new Dictionary<string, double>()));
        Assert.Null(ConsensusAggregator.Decide(ConsensusAggregation.Majority, []));
    }

    [Fact]
    public void Ties_GoToTheSmallerCanonicalAnswer_WhateverTheOrder()
    {
        ConsensusVote[] tie = [new("a", "\"z\"", 0.1), new("b", "\"m\"", 0.1)];
        Assert.Equal("\"m\"", ConsensusAggregator.Decide(ConsensusAggregation.Majority, tie)!.Answer);
        Assert.Equal("\"m\"", ConsensusAggregator.Decide(ConsensusAggregation.Majority, [.. tie.Reverse()])!.Answer);
    }

    [Fact]
    public void Ratings_OnlyTheWinningSideRates_EachPairOnce_WithEventIdsPerTarget()
    {
        var ratings = ConsensusRatings.For("c_1", ["a", "b", "c"], new HashSet<string> { "a", "b" });
        Assert.Equal(4, ratings.Count);
        Assert.DoesNotContain(ratings, r => r.Rater == "c");
        Assert.Contains(ratings, r => r is { Rater: "a", Target: "b", Outcome: OrleansAgents.Trust.TrustOutcome.Satisfied });
        Assert.Contains(ratings, r => r is { Rater: "b", Target: "c", Outcome: OrleansAgents.Trust.TrustOutcome.Unsatisfied, EventId: "consensus:c_1:c" });

        var edges = ConsensusRatings.Edges(new Dictionary<string, string> { ["b"] = "1", ["a"] = "1", ["c"] = "2" });
        Assert.Equal(3, edges.Count);
        Assert.Contains(edges, e => e is { From: "a", To: "b", Positive: 1 });
        Assert.Contains(edges, e => e is { From: "a", To: "c", Negative: 1 });
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("""{"score":0.5,"why":"x"}""", 0.5)]
    [InlineData("\"high\"", double.NaN)]
    [InlineData("not json", double.NaN)]
    public void Score_IsANumberOrAnObjectsScore(string json, double expected) =>
        Assert.Equal(expected, ConsensusRoundGrainScore(json));

    private static double ConsensusRoundGrainScore(string json) => ConsensusRoundGrain.ParseScore(json);
}
