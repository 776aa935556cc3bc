using OrleansAgents.Grains.Conversations;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Grains.Workflows;
using OrleansAgents.Swarms;
using OrleansAgents.Workflows;

namespace OrleansAgents.Tests.Hosting;

/// <summary>
/// Runs, rounds and turns stored before they kept a fingerprint have none: a resend is then compared
/// with the fingerprint of their stored fields, so no migration is needed and the answer is the same.
/// </summary>
public sealed class StoredFingerprintTests
{
    [Fact]
    public void WorkflowRun_WithoutStoredFingerprint_MatchesTheSameStart_AndNoOther()
    {
        var old = new WorkflowRunRecord { Exists = true, WorkflowId = "wf-1", WorkflowVersion = 2, Mode = WorkflowRunMode.Staging, InputJson = """{"a":1}""", StartedBy = "alice" };
        var same = WorkflowRunRecord.FingerprintOf("wf-1", 2, WorkflowRunMode.Staging, """{"a":1}""", "alice");

        Assert.Equal("", old.Fingerprint);
        Assert.Equal(same, old.EffectiveFingerprint);
        Assert.NotEqual(WorkflowRunRecord.FingerprintOf("wf-1", 3, WorkflowRunMode.Staging, """{"a":1}""", "alice"), old.EffectiveFingerprint);
        Assert.NotEqual(WorkflowRunRecord.FingerprintOf("wf-1", 2, WorkflowRunMode.Production, """{"a":1}""", "alice"), old.EffectiveFingerprint);
        Assert.NotEqual(WorkflowRunRecord.FingerprintOf("wf-1", 2, WorkflowRunMode.Staging, """{"a":2}""", "alice"), old.EffectiveFingerprint);

        // A stored fingerprint is what counts once there is one.
        old.Fingerprint = "F";
        Assert.Equal("F", old.EffectiveFingerprint);
    }

    [Fact]
    public void ConsensusRound_WithoutStoredFingerprint_MatchesTheSameRequest_AndNoOther()
    {
        var request = new ConsensusRequest("classify", "echo", "1", 3, ConsensusAggregation.Majority, 2, TimeSpan.FromSeconds(30), null, "alice");
        var old = new ConsensusRoundState { Request = request };

        Assert.Equal(ConsensusRoundState.FingerprintOf(request with { }), old.EffectiveFingerprint);
        Assert.NotEqual(ConsensusRoundState.FingerprintOf(request with { Quorum = 3 }), old.EffectiveFingerprint);
        Assert.NotEqual(ConsensusRoundState.FingerprintOf(request with { Deadline = TimeSpan.FromSeconds(31) }), old.EffectiveFingerprint);
        Assert.NotEqual(ConsensusRoundState.FingerprintOf(request with { ScoringSkill = "score" }), old.EffectiveFingerprint);
        Assert.NotEqual(ConsensusRoundState.FingerprintOf(request with { Aggregation = ConsensusAggregation.BestScore }), old.EffectiveFingerprint);
    }

    [Fact]
    public void Turn_WithoutStoredFingerprint_MatchesTheSameMessage_AndNoOther()
    {
        var old = new TurnRecord { Id = "1", Content = "hello", IdempotencyKey = "m-1" };

        Assert.Equal(TurnRecord.FingerprintOf("hello"), old.EffectiveFingerprint);
        Assert.NotEqual(TurnRecord.FingerprintOf("hello!"), old.EffectiveFingerprint);
    }
}
