namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// Keeps a page live by polling: every <c>interval</c> while the API answers, backing off
/// (doubling, up to <c>max</c>, or the API's Retry-After) while it fails or rate limits, so a
/// console left open never hammers a struggling cluster or spends a user's quota in a loop.
/// </summary>
public sealed class Poller : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="tick">One refresh; returns how long the API asked to wait (null: it answered), or throws.</param>
    public void Start(Func<CancellationToken, Task<TimeSpan?>> tick, TimeSpan interval, TimeSpan max)
    {
        _loop = RunAsync(tick, interval, max, _stop.Token);
    }

    private static async Task RunAsync(Func<CancellationToken, Task<TimeSpan?>> tick, TimeSpan interval, TimeSpan max, CancellationToken stop)
    {
        var delay = interval;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var wait = await tick(stop);
                delay = wait is { } backOff ? Max(Min(delay * 2, max), Min(backOff, max)) : interval;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A page's refresh must not die of one bad answer: back off and try again.
                delay = Min(delay * 2, max);
            }

            try
            {
                await Task.Delay(delay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
