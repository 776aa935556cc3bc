using OrleansAgents.Errors;

namespace OrleansAgents.Trust;

/// <summary>One rating's checks, applied by the API (to answer 400 before any grain call) and by the recorder grain.</summary>
public static partial class TrustRules
{
    /// <summary>Throws a <see cref="DomainException"/> with a <c>trust.*</c> code for the first problem of a rating.</summary>
    public static void Check(TrustRating rating)
    {
        if (!TrustRules.IsValidRater(rating.Rater))
        {
            throw new DomainException(ErrorCodes.TrustInvalidRater, $"A rater is an agent id ({OrleansAgents.Agents.AgentRules.IdPattern}) or '{TrustRules.UsersPeer}'.");
        }

        if (!OrleansAgents.Agents.AgentRules.IsValidId(rating.Target))
        {
            throw new DomainException(ErrorCodes.TrustInvalidTarget, $"The rated agent's id must match {OrleansAgents.Agents.AgentRules.IdPattern}.");
        }

        if (rating.Rater == rating.Target)
        {
            throw new DomainException(ErrorCodes.TrustSelfRating, "An agent cannot rate itself.");
        }

        if (!Enum.IsDefined(rating.Outcome))
        {
            throw new DomainException(ErrorCodes.TrustInvalidOutcome, "outcome must be satisfied or unsatisfied.");
        }

        if (!TrustRules.IsValidWeight(rating.Weight))
        {
            throw new DomainException(ErrorCodes.TrustInvalidWeight, $"weight must be a number greater than 0 and at most {TrustRules.MaxWeight}.");
        }

        if (rating.Reason is { Length: > TrustRules.ReasonMaxLength })
        {
            throw new DomainException(ErrorCodes.TrustInvalidReason, $"reason must be at most {TrustRules.ReasonMaxLength} characters.");
        }

        if (rating.EventId is { } e && (e.Length is 0 or > TrustRules.EventIdMaxLength))
        {
            throw new DomainException(ErrorCodes.TrustInvalidEventId, $"eventId must be 1 to {TrustRules.EventIdMaxLength} characters.");
        }
    }
}
