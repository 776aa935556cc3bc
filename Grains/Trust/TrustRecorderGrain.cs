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
            TrustRules.Check(rating);
        }

        var results = await Task.WhenAll(ratings.GroupBy(r => r.Rater, StringComparer.Ordinal).Select(g =>
            GrainFactory.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, g.Key)).RecordAsync([.. g])));
        return new TrustRecordResult(results.Sum(r => r.Recorded), results.Sum(r => r.Duplicates));
    }
}
