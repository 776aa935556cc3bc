using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Server-Sent Events over a grain's numbered event log (tasks, workflow runs): long-polls the
/// grain, sends each event with its sequence as the SSE id, and ends when the log says finished.
/// A client resumes with <c>Last-Event-ID</c>. Callers pass the token of a
/// <see cref="Security.StreamSessions"/> session, so the stream also ends when the caller's
/// credentials expire or are revoked, and counts against the caller's open streams.
/// </summary>
internal static class EventStreams
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(15);

    /// <summary>The sequence to continue after (0 without the header); false with a 400 when the header is not a sequence number.</summary>
    public static bool TryResumeAfter(HttpContext http, out long after, out ProblemHttpResult? problem)
    {
        after = 0;
        problem = null;
        if (http.Request.Headers.TryGetValue("Last-Event-ID", out var last) &&
            !long.TryParse(last.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            problem = ProblemResults.Invalid(ErrorCodes.ValidationFailed, "Last-Event-ID must be an event sequence number this stream sent.");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Takes one of the caller's stream slots (released when the response ends); the token ends the
    /// stream when the client leaves or its credentials expire or are revoked. False with a 429
    /// when the caller holds Streams:MaxConcurrentPerUser streams already.
    /// </summary>
    public static bool TryOpen(HttpContext http, out CancellationToken ends, out ProblemHttpResult? refused)
    {
        var session = http.RequestServices.GetRequiredService<Security.StreamSessions>().TryOpen(http, out refused);
        ends = session?.Token ?? default;
        return session is not null;
    }

    /// <param name="wait">Events after a sequence, waiting up to the given time for the first; and whether the log is finished.
    /// It passes the token on to the grain call, so the grain's wait ends when the client leaves.</param>
    /// <param name="item">An event as sent: its sequence, the data and the SSE event type.</param>
    public static async IAsyncEnumerable<SseItem<TResponse>> FollowAsync<TEvent, TResponse>(
        Func<long, TimeSpan, CancellationToken, Task<(IReadOnlyList<TEvent> Events, bool Finished)>> wait,
        Func<TEvent, (long Sequence, TResponse Data, string Type)> item,
        long after,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            (IReadOnlyList<TEvent> Events, bool Finished) batch;
            try
            {
                batch = await wait(after, Poll, cancellationToken).WaitAsync(cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client left, or its credentials ended (StreamSessions): end the stream cleanly.
                yield break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ++failures <= 5)
            {
                // The grain's silo may be going away; its next activation answers the next call.
                if (!await DelayAsync(TimeSpan.FromSeconds(1), cancellationToken))
                {
                    yield break;
                }

                continue;
            }

            foreach (var e in batch.Events)
            {
                var (sequence, data, type) = item(e);
                after = sequence;
                yield return new SseItem<TResponse>(data, type) { EventId = sequence.ToString(CultureInfo.InvariantCulture) };
            }

            if (batch.Finished)
            {
                yield break;
            }
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
