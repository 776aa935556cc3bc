using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Tests.Hosting;

/// <summary>
/// The writer on a one-at-a-time scheduler, as in a grain; each write waits on a gate the test
/// opens, so "in flight" is exact rather than timed.
/// </summary>
public sealed class GroupCommitWriterTests
{
    private readonly TaskScheduler _grain = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
    private readonly List<TaskCompletionSource> _writes = [];
    private int _deactivations;

    [Fact]
    public async Task SaveAsync_WhileAWriteIsInFlight_SharesTheNextSingleWrite()
    {
        var writer = NewWriter();
        await OnGrainAsync(async () =>
        {
            var first = writer.SaveAsync();
            var queued = Enumerable.Range(0, 10).Select(_ => writer.SaveAsync()).ToArray();
            Assert.Single(_writes);

            _writes[0].SetResult();
            await first;
            Assert.Equal(2, _writes.Count); // the ten queued saves started one write together
            Assert.All(queued, t => Assert.False(t.IsCompleted));

            _writes[1].SetResult();
            await Task.WhenAll(queued);
        });

        Assert.Equal(2, writer.Writes);
        Assert.Equal(0, _deactivations);
    }

    [Fact]
    public async Task SaveAsync_WhenAWriteFails_DeactivatesAndFailsEveryWaiter()
    {
        var writer = NewWriter();
        var failure = new IOException("storage is down");
        await OnGrainAsync(async () =>
        {
            var first = writer.SaveAsync();
            var sharing = writer.SaveAsync();
            _writes[0].SetResult();
            await first;

            var third = writer.SaveAsync(); // queued behind the write that will fail
            _writes[1].SetException(failure);

            Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => sharing));
            Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => third));
            // Memory is ahead of storage now: nothing more is written by this activation.
            Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => writer.SaveAsync()));
        });

        Assert.Equal(2, _writes.Count);
        Assert.Equal(1, writer.Writes);
        Assert.Equal(1, _deactivations);
    }

    [Fact]
    public async Task RunExclusiveAsync_WaitsForTheWriteInFlight_AndSavesAfterItFollow()
    {
        var writer = NewWriter();
        var cleared = 0;
        await OnGrainAsync(async () =>
        {
            var write = writer.SaveAsync();
            var clear = writer.RunExclusiveAsync(() =>
            {
                cleared++;
                return Task.CompletedTask;
            });
            Assert.Equal(0, cleared);

            _writes[0].SetResult();
            await clear;
            Assert.Equal(1, cleared);

            var after = writer.SaveAsync();
            Assert.Equal(2, _writes.Count);
            _writes[1].SetResult();
            await Task.WhenAll(write, after);
        });

        Assert.Equal(2, writer.Writes);
    }

    private GroupCommitWriter NewWriter() => new(
        () =>
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _writes.Add(gate);
            return gate.Task;
        },
        () => _deactivations++);

    private Task OnGrainAsync(Func<Task> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.None, _grain).Unwrap().WaitAsync(Eventually.DefaultWithin);
}
