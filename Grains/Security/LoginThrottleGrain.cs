using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Security;

/// <summary>
/// See <see cref="ILoginThrottleGrain"/>. Deliberately without storage: a counter lost with its
/// silo or after the activation idles out only gives a guesser a few free attempts back, while
/// stored counters would let anyone fill the database by probing names.
/// </summary>
public sealed class LoginThrottleGrain(IOptions<SecurityOptions> options, TimeProvider time) : Grain, ILoginThrottleGrain
{
    private int _failures;
    private DateTimeOffset _notBefore;

    public ValueTask<TimeSpan> WaitAsync() => ValueTask.FromResult(Remaining());

    public ValueTask<TimeSpan> FailedAsync()
    {
        var lockout = options.Value.Lockout;
        _failures++;
        if (_failures >= lockout.MaxFailures)
        {
            var doublings = Math.Min(_failures - lockout.MaxFailures, 30);
            var delay = TimeSpan.FromTicks((long)Math.Min(lockout.Duration.Ticks, lockout.BaseDelay.Ticks * Math.Pow(2, doublings)));
            _notBefore = time.GetUtcNow() + delay;
        }

        return ValueTask.FromResult(Remaining());
    }

    public ValueTask SucceededAsync()
    {
        _failures = 0;
        _notBefore = default;
        DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    private TimeSpan Remaining()
    {
        var left = _notBefore - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
