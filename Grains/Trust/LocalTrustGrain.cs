using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

[GenerateSerializer, Alias("OrleansAgents.LocalTrustState.v1")]
public sealed class LocalTrustState
{
    /// <summary>Per target: [satisfied, unsatisfied] weights.</summary>
    [Id(0)] public Dictionary<string, double[]> Entries { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public long Ratings { get; set; }

    [Id(2)] public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Recent event ids as rows stored them before <see cref="RecentEventWindow"/>: moved into it on the next rating.</summary>
    [Id(3)] public List<string> RecentEvents { get; set; } = [];

    /// <summary>Whether the rater itself is in the domain's directory.</summary>
    [Id(4)] public bool Announced { get; set; }

    /// <summary>Recent event ids (bounded by Trust:RecentEventsPerRow), as hashes: this row is rewritten on every rating.</summary>
    [Id(5)] public EventIdWindow RecentEventWindow { get; set; } = new();
}

/// <summary>
/// A rater's row (key <c>{domain}/{rater}</c>). Reentrant so a busy row (the users' peer sees every
/// user-submitted task) coalesces concurrent ratings into one storage write instead of queueing
/// one write per rating.
/// </summary>
[Reentrant]
public sealed class LocalTrustGrain(
    [PersistentState("trust-row", StorageNames.Collective)] IPersistentState<LocalTrustState> state,
    IOptions<TrustOptions> options,
    TrustMetrics metrics,
    TimeProvider time,
    IEnumerable<ITrustRatingObserver> observers) : Grain, ILocalTrustGrain
{
    private GroupCommitWriter? _writer;

    private string Domain => TrustKeys.Split(this.GetPrimaryKeyString()).Domain;

    private string Rater => TrustKeys.Split(this.GetPrimaryKeyString()).Name;

    public async Task<TrustRecordResult> RecordAsync(IReadOnlyList<TrustRating> ratings)
    {
        var rater = Rater;
        if (ratings.FirstOrDefault(r => r.Rater != rater || r.Target == rater) is { } stray)
        {
            throw new ArgumentException($"Row '{rater}' was given a rating by '{stray.Rater}' of '{stray.Target}'.", nameof(ratings));
        }

        var newPeers = ratings.Select(r => r.Target).Where(t => !state.State.Entries.ContainsKey(t)).ToHashSet(StringComparer.Ordinal);
        if (!state.State.Announced)
        {
            newPeers.Add(rater);
        }

        if (newPeers.Count > 0)
        {
            // Before the row changes: a peer must be in the directory by the time a computation can see its rating.
            await TrustDirectory.AddAsync(GrainFactory, Domain, newPeers);
            state.State.Announced = true;
        }

        int recorded = 0, duplicates = 0;
        var stored = new List<TrustRating>(ratings.Count);
        foreach (var rating in ratings)
        {
            if (rating.EventId is { } eventId && !Remember(eventId))
            {
                duplicates++;
                continue;
            }

            var counts = state.State.Entries.TryGetValue(rating.Target, out var c) ? c : state.State.Entries[rating.Target] = new double[2];
            counts[rating.Outcome == TrustOutcome.Satisfied ? 0 : 1] += rating.Weight;
            metrics.Recorded(rating.Outcome);
            stored.Add(rating);
            recorded++;
        }

        if (recorded > 0 || newPeers.Count > 0)
        {
            state.State.Ratings += recorded;
            state.State.UpdatedAt = time.GetUtcNow();
            await SaveAsync();
        }

        if (stored.Count > 0)
        {
            foreach (var observer in observers)
            {
                await observer.RecordedAsync(Domain, stored);
            }
        }

        return new TrustRecordResult(recorded, duplicates);
    }

    public ValueTask<LocalTrustRow> GetRowAsync() => ValueTask.FromResult(new LocalTrustRow(
        Domain,
        Rater,
        [.. state.State.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new LocalTrustEntry(e.Key, e.Value[0], e.Value[1]))],
        state.State.Ratings,
        state.State.UpdatedAt));

    private bool Remember(string eventId)
    {
        var window = state.State.RecentEventWindow;
        var capacity = options.Value.RecentEventsPerRow;
        if (state.State.RecentEvents.Count > 0)
        {
            // A row stored before the window: its ids move over, oldest first, and leave with the next write.
            foreach (var legacy in state.State.RecentEvents)
            {
                window.Remember(legacy, capacity);
            }

            state.State.RecentEvents = [];
        }

        return window.Remember(eventId, capacity);
    }

    /// <summary>Completes once a write that includes every change made so far has been stored; changes made meanwhile share the next one.</summary>
    private Task SaveAsync() => (_writer ??= state.GroupCommit(this)).SaveAsync();
}
