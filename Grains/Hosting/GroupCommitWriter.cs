namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// The one way a grain stores its state. One write runs at a time; callers that ask to save
/// while a write is in flight share the next single write, which stores every change made
/// before it starts. A failed write means memory holds changes storage does not: the grain is
/// deactivated (its next activation reloads what is stored) and every caller waiting on that
/// write or queued behind it fails, as does any later save on this activation.
/// </summary>
/// <remarks>
/// Not thread-safe by design: it relies on the grain's single-threaded scheduler, like the rest
/// of the grain's state. <see cref="Writes"/> counts the writes that reached storage.
/// </remarks>
public sealed class GroupCommitWriter(Func<Task> write, Action deactivate)
{
    private TaskCompletionSource? _next;
    private Task? _loop;
    private Exception? _failure;

    /// <summary>Writes that were stored by this writer.</summary>
    public long Writes { get; private set; }

    private bool Busy => _loop is { IsCompleted: false };

    /// <summary>Completes once a write that started after this call has been stored.</summary>
    public Task SaveAsync()
    {
        if (_failure is not null)
        {
            return Task.FromException(_failure);
        }

        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = _next.Task;
        if (!Busy)
        {
            _loop = LoopAsync(null);
        }

        return done;
    }

    /// <summary>
    /// Runs another storage operation (a clear) once the write in flight ended, never beside one;
    /// saves asked for meanwhile follow it. A failure deactivates the grain like a failed write.
    /// </summary>
    public async Task RunExclusiveAsync(Func<Task> operation)
    {
        while (Busy)
        {
            await _loop!;
        }

        if (_failure is not null)
        {
            throw _failure;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = LoopAsync((operation, done));
        await done.Task;
    }

    private async Task LoopAsync((Func<Task> Operation, TaskCompletionSource Done)? first)
    {
        if (first is { } exclusive)
        {
            if (!await TryAsync(exclusive.Operation, exclusive.Done, counts: false))
            {
                return;
            }
        }

        while (_next is { } batch)
        {
            _next = null;
            if (!await TryAsync(write, batch, counts: true))
            {
                return;
            }
        }
    }

    private async Task<bool> TryAsync(Func<Task> operation, TaskCompletionSource done, bool counts)
    {
        try
        {
            await operation();
        }
        catch (Exception ex)
        {
            _failure = ex;
            deactivate();
            done.TrySetException(ex);
            if (_next is { } queued)
            {
                _next = null;
                queued.TrySetException(ex);
            }

            return false;
        }

        if (counts)
        {
            Writes++;
        }

        done.TrySetResult();
        return true;
    }
}
