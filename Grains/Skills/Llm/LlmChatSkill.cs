using System.ClientModel;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Skills;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>
/// Chat completion through <see cref="IChatClient"/> against an OpenAI-compatible provider. Order
/// per attempt: refuse if the submitter's daily AI-token quota is spent (non-transient), take one
/// request from the provider's cluster-wide budget (transient with RetryAfter when empty), call
/// through the breaker <c>llm:{provider}</c>, then charge the reported input+output tokens to the
/// submitter. The API key never leaves <see cref="LlmClients"/>.
/// </summary>
public sealed partial class LlmChatSkill(
    IOptions<LlmOptions> options,
    LlmClients clients,
    IGrainFactory grains,
    GuardedCalls guarded,
    SkillMetrics metrics,
    TimeProvider time,
    ILogger<LlmChatSkill> logger) : ISkill
{
    public const string SkillName = "llm.chat";

    public string Name => SkillName;

    public string Description => "Chat completion against a configured OpenAI-compatible provider; tokens are charged to the submitter's daily AI-token quota.";

    public JsonObject InputSchema { get; } = SkillSchema.ObjectOf(
        ("provider", SkillSchema.Of("string", "A provider of Skills:Llm:Providers; default Skills:Llm:DefaultProvider."), false),
        ("model", SkillSchema.Of("string", "Overrides the provider's model."), false),
        ("system", SkillSchema.Of("string", "A system prompt, sent first."), false),
        ("messages", SkillSchema.Of("array", "[{ role: system|user|assistant, content }]; or give prompt."), false),
        ("prompt", SkillSchema.Of("string", "One user message; or give messages."), false),
        ("temperature", SkillSchema.Of("number", "0 to 2."), false),
        ("maxTokens", SkillSchema.Of("integer", "Maximum output tokens."), false));

    private string ModelLabel(LlmChatInput input) =>
        options.Value.Providers.TryGetValue(input.Provider, out var provider) ? provider.MetricLabel(input.Model) : "other";

    public IReadOnlyList<string> Validate(JsonElement input) => LlmChatInput.Parse(input, options.Value).Errors;

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var (input, errors) = LlmChatInput.Parse(context.Input, options.Value);
        if (input is null)
        {
            throw new SkillException("llm.invalid_input", string.Join(" ", errors), transient: false);
        }

        try
        {
            await EnsureQuotaAsync(context.SubmittedBy, cancellationToken);
            var wait = await grains.GetGrain<ILlmProviderLimiterGrain>(input.Provider).TryAcquireAsync().AsTask().WaitAsync(cancellationToken);
            if (wait > TimeSpan.Zero)
            {
                throw new SkillException("llm.rate_limited", $"Provider '{input.Provider}' is at its {LlmOptions.Section}:Providers:{input.Provider}:RequestsPerMinute budget.", transient: true, wait);
            }

            var response = await guarded.RunAsync("llm:" + input.Provider, "llm", ct => CallAsync(input, ct), cancellationToken);
            metrics.LlmRequest(input.Provider, ModelLabel(input), "success");
            return JsonSerializer.SerializeToElement(await ChargeAsync(context.SubmittedBy, input, response));
        }
        catch (SkillException ex)
        {
            metrics.LlmRequest(input.Provider, ModelLabel(input), Outcome(ex.Code));
            throw;
        }
    }

    private static string Outcome(string code) => code switch
    {
        _ when code.StartsWith("llm.status_5", StringComparison.Ordinal) => "server_error",
        _ when code.StartsWith("llm.status_", StringComparison.Ordinal) => "client_error",
        _ => code["llm.".Length..],
    };

    private async Task EnsureQuotaAsync(string user, CancellationToken cancellationToken)
    {
        var status = await grains.GetGrain<IRateLimitBucketGrain>(user).GetStatusAsync().AsTask().WaitAsync(cancellationToken);
        if (status.Windows.FirstOrDefault(w => w.Name == RateLimitWindows.AiTokens) is { Remaining: <= 0 } window)
        {
            throw new SkillException("llm.token_quota_exceeded",
                $"The daily AI-token quota of '{user}' ({window.Limit} tokens, tier {status.Tier}) is used up; it frees up within {window.ResetAfter}.", transient: false);
        }
    }

    private async ValueTask<ChatResponse> CallAsync(LlmChatInput input, CancellationToken cancellationToken)
    {
        var settings = options.Value.Providers[input.Provider];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds)); // real time, like the network
        var started = Stopwatch.GetTimestamp();
        try
        {
            var chatOptions = new ChatOptions { Temperature = input.Temperature, MaxOutputTokens = input.MaxTokens };
            return await clients.Get(input.Provider, input.Model).GetResponseAsync(input.Messages, chatOptions, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SkillException("llm.timeout", $"Provider '{input.Provider}' did not answer within {settings.TimeoutSeconds} s.", transient: true, inner: ex);
        }
        catch (ClientResultException ex)
        {
            throw Map(input.Provider, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SkillException("llm.network_error", $"Provider '{input.Provider}' could not be reached ({ex.HttpRequestError}).", transient: true, inner: ex);
        }
        finally
        {
            metrics.LlmDuration(input.Provider, ModelLabel(input), Stopwatch.GetElapsedTime(started));
        }
    }

    private SkillException Map(string provider, ClientResultException ex)
    {
        var status = ex.Status;
        if (status == 0)
        {
            return new SkillException("llm.network_error", $"Provider '{provider}' could not be reached.", transient: true, inner: ex);
        }

        var transient = status is 408 or 429 or >= 500;
        TimeSpan? retryAfter = null;
        if (transient && ex.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var header) == true
            && RetryConditionHeaderValue.TryParse(header, out var parsed))
        {
            retryAfter = GuardedCalls.RetryAfter(parsed, time.GetUtcNow());
        }

        // The provider's own message says what is wrong (unknown model, bad key); it never echoes the key.
        var detail = ex.Message.Split('\n', 2)[0];
        detail = detail.Length > 300 ? detail[..300] : detail;
        var code = status == 429 ? "llm.throttled" : $"llm.status_{status}";
        return new SkillException(code, $"Provider '{provider}' answered {status}: {detail}", transient, retryAfter, ex);
    }

    private async Task<JsonObject> ChargeAsync(string user, LlmChatInput input, ChatResponse response)
    {
        var inputTokens = response.Usage?.InputTokenCount ?? 0;
        var outputTokens = response.Usage?.OutputTokenCount ?? 0;
        var total = response.Usage?.TotalTokenCount is { } t && t > inputTokens + outputTokens ? t : inputTokens + outputTokens;
        metrics.LlmTokens(input.Provider, ModelLabel(input), inputTokens, outputTokens);
        if (total > 0)
        {
            try
            {
                await grains.GetGrain<IRateLimitBucketGrain>(user).ChargeAiTokensAsync(Math.Min(total, RateLimitRules.MaxAiTokensPerCharge));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The completion happened and was paid for: failing now would make the task retry
                // and pay again. The quota under-counts by this one call instead.
                LogChargeFailed(logger, ex, user, total, input.Provider);
            }
        }

        return new JsonObject
        {
            ["content"] = response.Text,
            ["provider"] = input.Provider,
            ["model"] = response.ModelId ?? input.Model,
            ["finishReason"] = response.FinishReason?.Value,
            ["usage"] = new JsonObject
            {
                ["inputTokens"] = inputTokens,
                ["outputTokens"] = outputTokens,
                ["totalTokens"] = total,
            },
        };
    }

    [LoggerMessage(LogLevel.Warning, "Could not charge {Tokens} AI tokens of provider {Provider} to {UserId}; the quota under-counts this call")]
    private static partial void LogChargeFailed(ILogger logger, Exception ex, string userId, long tokens, string provider);
}
