namespace OrleansAgents.Errors;

public static partial class ErrorCodes
{
    public const string TrustInvalidDomain = "trust.invalid_domain";
    public const string TrustInvalidRater = "trust.invalid_rater";
    public const string TrustInvalidTarget = "trust.invalid_target";
    public const string TrustInvalidOutcome = "trust.invalid_outcome";
    public const string TrustInvalidWeight = "trust.invalid_weight";
    public const string TrustInvalidReason = "trust.invalid_reason";
    public const string TrustInvalidEventId = "trust.invalid_event_id";
    public const string TrustSelfRating = "trust.self_rating";
    public const string TrustBatchTooLarge = "trust.batch_too_large";
    public const string TrustRaterForbidden = "trust.rater_forbidden";
}
