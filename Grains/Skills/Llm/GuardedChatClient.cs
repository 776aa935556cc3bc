using System.ClientModel;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OrleansAgents.Skills;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>
/// Puts every model call of a hosted agent under the same rules as <c>llm.chat</c>: the caller's
/// daily AI-token quota, the provider's cluster-wide requests-per-minute budget, and the breaker
/// <c>llm:{provider}</c>. It sits under the framework's function-invocation loop, so each model call
/// of a turn is checked, not just the first. A streamed call counts for the breaker by how it
/// opens (connection, status, first chunk): that is where providers fail.
/// </summary>
public sealed class GuardedChatClient(
    IChatClient inner,
    string provider,
    string model,
    string user,
    IGrainFactory grains,
    GuardedCalls guarded,
    SkillMetrics metrics,
    TimeProvider time) : DelegatingChatClient(inner)
{
    public string Provider => provider;

    public string Model => model;

    /// <summary>Model calls made through this client (one turn builds one client).</summary>
    public int Calls { get; private set; }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await AdmitAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await guarded.RunAsync("llm:" + provider, "llm", async ct =>
            {
                try
                {
                    return await base.GetResponseAsync(messages, options, ct);
                }
                catch (Exception ex) when (Map(ex) is { } mapped)
                {
                    throw mapped;
                }
            }, cancellationToken);
            Record("success", response.Usage);
            return response;
        }
        catch (SkillException ex)
        {
            metrics.LlmRequest(provider, model, Outcome(ex.Code));
            throw;
        }
        finally
        {
            metrics.LlmDuration(provider, model, Stopwatch.GetElapsedTime(started));
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await AdmitAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        UsageDetails? usage = null;
        try
        {
            bool any;
            try
            {
                any = await guarded.RunAsync("llm:" + provider, "llm", async ct =>
                {
                    stream = base.GetStreamingResponseAsync(messages, options, ct).GetAsyncEnumerator(ct);
                    return await MoveNextAsync(stream);
                }, cancellationToken);
            }
            catch (SkillException ex)
            {
                metrics.LlmRequest(provider, model, Outcome(ex.Code));
                throw;
            }

            while (any)
            {
                var update = stream!.Current;
                if (update.Contents.OfType<UsageContent>().LastOrDefault() is { } u)
                {
                    usage = u.Details;
                }

                yield return update;
                any = await MoveNextAsync(stream);
            }

            Record("success", usage);
        }
        finally
        {
            metrics.LlmDuration(provider, model, Stopwatch.GetElapsedTime(started));
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<ChatResponseUpdate> stream)
    {
        try
        {
            return await stream.MoveNextAsync();
        }
        catch (Exception ex) when (Map(ex) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task AdmitAsync(CancellationToken cancellationToken)
    {
        var status = await grains.GetGrain<IRateLimitBucketGrain>(user).GetStatusAsync().AsTask().WaitAsync(cancellationToken);
        if (status.Windows.FirstOrDefault(w => w.Name == RateLimitWindows.AiTokens) is { Remaining: <= 0 } window)
        {
            metrics.LlmRequest(provider, model, "token_quota_exceeded");
            throw new SkillException("llm.token_quota_exceeded",
                $"The daily AI-token quota of '{user}' ({window.Limit} tokens, tier {status.Tier}) is used up; it frees up within {window.ResetAfter}.", transient: false);
        }

        var wait = await grains.GetGrain<ILlmProviderLimiterGrain>(provider).TryAcquireAsync().AsTask().WaitAsync(cancellationToken);
        if (wait > TimeSpan.Zero)
        {
            metrics.LlmRequest(provider, model, "rate_limited");
            throw new SkillException("llm.rate_limited", $"Provider '{provider}' is at its {LlmOptions.Section}:Providers:{provider}:RequestsPerMinute budget.", transient: true, wait);
        }

        Calls++;
    }

    private void Record(string outcome, UsageDetails? usage)
    {
        metrics.LlmRequest(provider, model, outcome);
        metrics.LlmTokens(provider, model, usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0);
    }

    private static string Outcome(string code) => code switch
    {
        _ when code.StartsWith("llm.status_5", StringComparison.Ordinal) => "server_error",
        _ when code.StartsWith("llm.status_", StringComparison.Ordinal) => "client_error",
        _ => code["llm.".Length..],
    };

    /// <summary>The provider's failure as a skill failure (transient for 408, 429, 5xx and the network), or null for anything else.</summary>
    private SkillException? Map(Exception ex)
    {
        switch (ex)
        {
            case SkillException:
                return null;
            case ClientResultException { Status: 0 } client:
                return new SkillException("llm.network_error", $"Provider '{provider}' could not be reached.", transient: true, inner: client);
            case ClientResultException client:
                var status = client.Status;
                var transient = status is 408 or 429 or >= 500;
                TimeSpan? retryAfter = null;
                if (transient && client.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var header) == true
                    && RetryConditionHeaderValue.TryParse(header, out var parsed))
                {
                    retryAfter = GuardedCalls.RetryAfter(parsed, time.GetUtcNow());
                }

                // The provider's own message says what is wrong; it never echoes the key.
                var detail = client.Message.Split('\n', 2)[0];
                detail = detail.Length > 300 ? detail[..300] : detail;
                return new SkillException(status == 429 ? "llm.throttled" : $"llm.status_{status}", $"Provider '{provider}' answered {status}: {detail}", transient, retryAfter, client);
            case HttpRequestException http:
                return new SkillException("llm.network_error", $"Provider '{provider}' could not be reached ({http.HttpRequestError}).", transient: true, inner: http);
            default:
                return null;
        }
    }
}
