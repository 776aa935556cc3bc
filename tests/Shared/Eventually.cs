using System.Diagnostics;

namespace OrleansAgents.Tests;

/// <summary>
/// The one way tests wait for something asynchronous: poll with a short back-off until a condition
/// holds or a generous deadline passes (the CI box has two loaded cores), then fail naming what was
/// awaited and the last value seen. Never a fixed sleep, never a timing assertion. Calls that throw
/// while a killed silo is not yet declared dead count as "not yet" when <c>tolerateFailures</c> is set
/// (and <c>transient</c>, when given, says the exception is one of those).
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(200);

    /// <summary>Reads until <paramref name="condition"/> holds for the value read, and returns that value.</summary>
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what,
        TimeSpan? within = null, bool tolerateFailures = false, Func<T, string>? describe = null, Func<Exception, bool>? transient = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = within ?? DefaultWithin;
        var pause = FirstPause;
        var last = "nothing read yet";
        while (true)
        {
            try
            {
                var value = await read();
                if (condition(value))
                {
                    return value;
                }

                last = describe?.Invoke(value) ?? value?.ToString() ?? "null";
            }
            catch (Exception ex) when (tolerateFailures && ex is not Xunit.Sdk.XunitException && (transient?.Invoke(ex) ?? true))
            {
                last = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (clock.Elapsed >= limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}; last: {last}");
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    /// <summary>Waits until an asynchronous condition holds.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, bool tolerateFailures = false) =>
        HoldsAsync(condition, ok => ok, what, within, tolerateFailures, ok => ok ? "true" : "false");

    /// <summary>Waits until a synchronous condition (an in-memory probe, a counter) holds.</summary>
    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, within);
}
