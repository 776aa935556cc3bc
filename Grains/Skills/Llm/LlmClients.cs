using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>
/// One <see cref="IChatClient"/> per provider and model, over the named HttpClient
/// <see cref="ClientName"/>. The OpenAI SDK's own retries are off: retrying is the task's job
/// (it honours RetryAfter), and hidden retries would hide failures from the breaker.
/// </summary>
public sealed class LlmClients(IHttpClientFactory httpClients, IOptions<LlmOptions> options)
{
    public const string ClientName = "skills.llm";

    /// <summary>Placeholder key for endpoints without authentication; the SDK insists on one.</summary>
    private const string NoKey = "unused";

    private readonly ConcurrentDictionary<string, OpenAIClient> _providers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Provider, string Model), IChatClient> _chats = new();

    public IChatClient Get(string provider, string model) =>
        _chats.GetOrAdd((provider, model), key => _providers.GetOrAdd(key.Provider, Create).GetChatClient(key.Model).AsIChatClient());

    private OpenAIClient Create(string provider)
    {
        var settings = options.Value.Providers[provider];
        var key = string.IsNullOrEmpty(settings.ApiKey) ? NoKey : settings.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(settings.Endpoint),
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(ClientName)),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
        });
    }
}
