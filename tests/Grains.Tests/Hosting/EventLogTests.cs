using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Tests.Hosting;

public sealed class EventLogTests
{
    private static readonly TimeSpan Guard = Eventually.DefaultWithin;

    private readonly ManualTimeProvider _clock = new() { ManualTimers = true };

    [Fact]
    public async Task WaitAsync_EndsAtCancellation_AndLeavesNoTimerBehind()
    {
        var signal = new ChangeSignal(_clock);
        using var watcher = new CancellationTokenSource();

        var wait = signal.WaitAsync(TimeSpan.FromSeconds(30), watcher.Token);
        Assert.False(wait.IsCompleted);
        Assert.Equal(1, _clock.PendingTimers);

        await watcher.CancelAsync(); // the SSE client left
        await wait.WaitAsync(Guard);
        Assert.Equal(0, _clock.PendingTimers);
    }

    [Fact]
    public async Task WaitAsync_EndsWhenTheInjectedClockReachesMaxWait()
    {
        var signal = new ChangeSignal(_clock);

        var wait = signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(wait.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(Guard);
    }

    [Fact]
    public async Task WaitAsync_LongerThanTheCap_EndsAtTheCap()
    {
        var signal = new ChangeSignal(_clock);

        var wait = signal.WaitAsync(TimeSpan.FromMinutes(10), CancellationToken.None);
        _clock.Advance(ChangeSignal.MaxWait);
        await wait.WaitAsync(Guard);
    }

    [Fact]
    public async Task LongPollAsync_ReturnsTheEventAppendedWhileWaiting_AndDropsItsTimer()
    {
        var events = new List<long> { 1 };
        var log = new EventLog<long>(e => e, _clock);

        var poll = log.LongPollAsync(() => log.After(events, 1), batch => batch.Count > 0, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(poll.IsCompleted);

        log.Append(events, 2, retention: 10);
        log.Notify();

        Assert.Equal([2L], await poll.WaitAsync(Guard));
        Assert.Equal(0, _clock.PendingTimers);
    }

    [Fact]
    public void Append_BeyondRetention_DropsTheOldest()
    {
        var events = new List<long>();
        var log = new EventLog<long>(e => e, _clock);

        for (var sequence = 1L; sequence <= 5; sequence++)
        {
            log.Append(events, sequence, retention: 3);
        }

        Assert.Equal([3L, 4L, 5L], events);
        Assert.Equal(3, log.FirstHeld(events, lastSequence: 5));
        Assert.Equal([4L, 5L], log.After(events, 3));
        Assert.Equal(6, log.FirstHeld([], lastSequence: 5));
    }
}
