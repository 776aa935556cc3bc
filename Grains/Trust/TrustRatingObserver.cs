namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Told about ratings a row has just stored (repeats of a recent event id excluded), after the
/// write. Silo singletons registered as <c>ITrustRatingObserver</c>; an observer must not throw
/// (the ratings are already stored) and must not call the row back.
/// </summary>
public interface ITrustRatingObserver
{
    ValueTask RecordedAsync(string domain, IReadOnlyList<OrleansAgents.Trust.TrustRating> ratings);
}
