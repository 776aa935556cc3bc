namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// What long-polling readers of a grain wait on: <see cref="Notify"/> wakes them all. A wait runs
/// on the injected <see cref="TimeProvider"/> and ends at cancellation too, taking its timer with
/// it, so a reader that left (an SSE client that disconnected) leaves nothing behind.
/// </summary>
public sealed class ChangeSignal(TimeProvider time)
{
    /// <summary>The longest a single wait lasts, whatever the caller asks for.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every waiting reader.</summary>
    public void Notify()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>Completes at the next <see cref="Notify"/>, after <paramref name="maxWait"/> (at most <see cref="MaxWait"/>) or at cancellation; never throws.</summary>
    public async Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (maxWait <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var changed = _changed.Task;
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(maxWait < MaxWait ? maxWait : MaxWait, time, ends.Token);
        await Task.WhenAny(changed, timeout);
        // Whatever ended the wait, the timer goes now rather than when it would have fired.
        await ends.CancelAsync();
    }
}
