using System.Collections.Concurrent;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Hosting;

/// <summary>Each call waits on a gate the test opens, so "in flight" is exact rather than timed.</summary>
public sealed class CallCoalescerTests
{
    private readonly ConcurrentQueue<Call> _calls = new();

    [Fact]
    public async Task ItemsSentWhileACallIsInFlight_GoTogetherInTheNextCall_AndEachSenderCompletesWithItsCall()
    {
        var coalescer = New(maxBatch: 100);
        var first = coalescer.SendAsync("row", 0);
        var firstCall = await CallAsync(0);
        var queued = Enumerable.Range(1, 10).Select(i => coalescer.SendAsync("row", i)).ToArray();
        Assert.Equal(0, Assert.Single(firstCall.Items));
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        firstCall.Gate.SetResult();
        await first;
        var second = await CallAsync(1);
        Assert.Equal(Enumerable.Range(1, 10), second.Items);
        Assert.All(queued, t => Assert.False(t.IsCompleted)); // their call has not answered yet

        second.Gate.SetResult();
        await Task.WhenAll(queued);
        Assert.Equal(2, coalescer.Calls);
    }

    [Fact]
    public async Task AFailedCall_FailsItsSendersOnly_AndLaterItemsStillGo()
    {
        var coalescer = New(maxBatch: 100);
        var failing = coalescer.SendAsync("row", 1);
        (await CallAsync(0)).Gate.SetException(new InvalidOperationException("row unavailable"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        var later = coalescer.SendAsync("row", 2);
        var retry = await CallAsync(1);
        Assert.Equal(2, Assert.Single(retry.Items));
        retry.Gate.SetResult();
        await later;
    }

    [Fact]
    public async Task ACallCarriesAtMostMaxBatchItems()
    {
        var coalescer = New(maxBatch: 3);
        var first = coalescer.SendAsync("row", 0);
        var gate = await CallAsync(0);
        var queued = Enumerable.Range(1, 7).Select(i => coalescer.SendAsync("row", i)).ToArray();
        gate.Gate.SetResult();
        for (var n = 1; n <= 3; n++)
        {
            (await CallAsync(n)).Gate.SetResult();
        }

        await Task.WhenAll(queued.Append(first));
        Assert.Equal(new int[][] { [0], [1, 2, 3], [4, 5, 6], [7] }, _calls.Select(c => c.Items));
    }

    [Fact]
    public async Task KeysAreIndependent_ABusyKeyDoesNotHoldAnother()
    {
        var coalescer = New(maxBatch: 100);
        _ = coalescer.SendAsync("busy", 1);
        var busy = await CallAsync(0);

        var other = coalescer.SendAsync("idle", 2);
        var idle = await CallAsync(1);
        Assert.Equal("idle", idle.Key);
        idle.Gate.SetResult();
        await other;
        busy.Gate.SetResult();
    }

    private CallCoalescer<int> New(int maxBatch) => new((key, items) =>
    {
        var call = new Call(key, [.. items], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _calls.Enqueue(call);
        return call.Gate.Task;
    }, maxBatch);

    /// <summary>The n-th call (0-based), once it has been made.</summary>
    private async Task<Call> CallAsync(int n)
    {
        await Eventually.HoldsAsync(() => _calls.Count > n, $"call {n} to be made");
        return _calls.ElementAt(n);
    }

    private sealed record Call(string Key, int[] Items, TaskCompletionSource Gate);
}
