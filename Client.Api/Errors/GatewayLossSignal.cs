namespace OrleansAgents.Api.Errors;

/// <summary>
/// Completes <see cref="NextLoss"/> whenever the cluster client loses a gateway connection (a silo
/// died or left). Orleans fails a call whose gateway died only at its response timeout (30 s): the
/// client does not break the calls it sent through that connection, as a silo does for calls to a
/// dead silo. <see cref="TransientClusterRetry"/> uses this signal to send repeatable calls again
/// through a live gateway after <see cref="Grace"/> instead.
/// </summary>
public sealed class GatewayLossSignal(TimeSpan grace) : IClusterConnectionStatusObserver
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a call in flight at a loss may still finish before it is given up.</summary>
    public TimeSpan Grace { get; } = grace;

    /// <summary>Completes at the next gateway loss after it was read.</summary>
    public Task NextLoss => Volatile.Read(ref _next).Task;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            Fire();
        }
    }

    public void NotifyClusterConnectionLost() => Fire();

    /// <summary>Wakes every request waiting on the current <see cref="NextLoss"/> and starts a new one.</summary>
    public void Fire() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
