using Orleans.Concurrency;
using OrleansAgents.Errors;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>Validates a batch of ratings for a domain (key) and hands each rater's share to its row.</summary>
[StatelessWorker]
public sealed class TrustRecorderGrain : Grain, ITrustRecorderGrain
{
    public async Task<TrustRecordResult> RecordAsync(IReadOnlyList<TrustRating> ratings)
    {
        var domain = this.GetPrimaryKeyString();
        if (!TrustRules.IsValidDomain(domain))
        {
            throw new DomainException(ErrorCodes.TrustInvalidDomain, $"Trust domains must match {TrustRules.DomainPattern}.");
        }

        if (ratings.Count > TrustRules.MaxBatch)
        {
            throw new DomainException(ErrorCodes.TrustBatchTooLarge, $"At most {TrustRules.MaxBatch} ratings per call.", DomainErrorKind.TooLarge);
        }

        foreach (var rating in ratings)
        {
            TrustValidation.Check(rating);
        }

        var results = await Task.WhenAll(ratings.GroupBy(r => r.Rater, StringComparer.Ordinal).Select(g =>
            GrainFactory.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, g.Key)).RecordAsync([.. g])));
        return new TrustRecordResult(results.Sum(r => r.Recorded), results.Sum(r => r.Duplicates));
    }
}

public static class TrustValidation
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
