namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// A grain's numbered event log (tasks, workflow runs, conversations): the events live in the
/// grain's stored list, oldest first, each with a rising sequence number; this class appends
/// with bounded retention, reads after a sequence and lets readers long-poll for the next
/// change. The wait runs on the injected <see cref="TimeProvider"/> and ends as soon as the
/// caller's token is cancelled (Orleans passes a client's cancellation into the grain call), so a
/// watcher that left leaves no timer behind.
/// </summary>
public sealed class EventLog<TEvent>(Func<TEvent, long> sequenceOf, TimeProvider time)
{
    private readonly ChangeSignal _changes = new(time);

    /// <summary>Appends <paramref name="e"/>, dropping the oldest events beyond <paramref name="retention"/>. Does not wake readers (see <see cref="Notify"/>): a grain may wake them only once the event is stored.</summary>
    public void Append(List<TEvent> events, TEvent e, int retention)
    {
        events.Add(e);
        if (events.Count > retention)
        {
            events.RemoveRange(0, events.Count - retention);
        }
    }

    /// <summary>The events after <paramref name="sequence"/>, oldest first.</summary>
    public IReadOnlyList<TEvent> After(List<TEvent> events, long sequence) => [.. events.Where(e => sequenceOf(e) > sequence)];

    /// <summary>The oldest sequence still held: a reader that asked for less has missed events.</summary>
    public long FirstHeld(List<TEvent> events, long lastSequence) => events.Count > 0 ? sequenceOf(events[0]) : lastSequence + 1;

    /// <summary>Wakes every waiting reader; they read the log again.</summary>
    public void Notify() => _changes.Notify();

    /// <summary>
    /// Returns <paramref name="read"/>'s batch at once when <paramref name="ready"/> says it is worth
    /// sending (or no wait was asked for); else waits for the next change, <paramref name="maxWait"/>
    /// (at most <see cref="ChangeSignal.MaxWait"/>) or cancellation, whichever comes first, and reads again.
    /// </summary>
    public async Task<TBatch> LongPollAsync<TBatch>(Func<TBatch> read, Func<TBatch, bool> ready, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var batch = read();
        if (ready(batch) || maxWait <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return batch;
        }

        await _changes.WaitAsync(maxWait, cancellationToken);
        return read();
    }
}
