namespace OrleansAgents.Errors;

public static partial class ErrorCodes
{
    public const string ConsensusInvalidAggregation = "consensus.invalid_aggregation";
    public const string ConsensusInvalidQuorum = "consensus.invalid_quorum";
    public const string ConsensusTooManyAgents = "consensus.too_many_agents";
    public const string ConsensusInvalidAgents = "consensus.invalid_agents";
    public const string ConsensusMissingScoringSkill = "consensus.missing_scoring_skill";
    public const string ConsensusInvalidDeadline = "consensus.invalid_deadline";
    public const string ConsensusInvalidWait = "consensus.invalid_wait";
    public const string ConsensusInvalidId = "consensus.invalid_id";
    public const string ConsensusNotFound = "consensus.not_found";
    public const string ConsensusConflict = "consensus.conflict";
    public const string ConsensusNotEnoughAgents = "consensus.not_enough_agents";
}
