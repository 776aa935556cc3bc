using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace OrleansAgents.Worker;

/// <summary>The skills a worker runs, each with its handler.</summary>
public sealed class AgentWorkerHandlers
{
    private readonly Dictionary<string, WorkerHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Sent as the lease call's <c>skills</c> filter, so the API never hands this worker a task it cannot run.</summary>
    public IReadOnlyList<string> Skills => [.. _handlers.Keys];

    internal void Add(string skill, WorkerHandler handler) => _handlers[skill] = handler;

    internal bool TryGet(string skill, [MaybeNullWhen(false)] out WorkerHandler handler) => _handlers.TryGetValue(skill, out handler);
}

/// <summary>What <see cref="AgentWorkerServiceCollectionExtensions.AddAgentWorker"/> answers: add handlers, tune the HttpClient.</summary>
public sealed class AgentWorkerBuilder(IServiceCollection services, IHttpClientBuilder httpClient, AgentWorkerHandlers handlers)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The worker's HttpClient (e.g. to set its primary handler in tests).</summary>
    public IHttpClientBuilder HttpClient { get; } = httpClient;

    public AgentWorkerBuilder Handle(string skill, WorkerHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(skill);
        ArgumentNullException.ThrowIfNull(handler);
        handlers.Add(skill, handler);
        return this;
    }
}

public static class AgentWorkerServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="AgentWorker"/> (a hosted service) for one external agent. Its HttpClient
    /// retries 429, 503 and network errors with jittered exponential backoff, waiting the server's
    /// <c>Retry-After</c> when it sends one (Microsoft.Extensions.Http.Resilience).
    /// </summary>
    public static AgentWorkerBuilder AddAgentWorker(this IServiceCollection services, Action<AgentWorkerOptions> configure)
    {
        services.AddOptions<AgentWorkerOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<AgentWorkerOptions>, AgentWorkerOptionsValidator>();
        var handlers = new AgentWorkerHandlers();
        services.AddSingleton(handlers);
        var http = services.AddHttpClient<AgentApiClient>((sp, client) =>
        {
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AgentWorkerOptions>>().Value;
            client.BaseAddress = options.BaseAddress;
            // Long-polls last up to 30 s; the resilience pipeline below has no attempt timeout for the same reason.
            client.Timeout = TimeSpan.FromSeconds(options.WaitSeconds + 30);
            if (options.ApiKey is { Length: > 0 } key)
            {
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
            }
        });
        http.AddResilienceHandler("agent-worker", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(30),
            ShouldRetryAfterHeader = true,
            // 429 and 503 only (and no answer at all): other statuses are the protocol's answers, e.g. 409 lease lost.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
            {
                { Exception: HttpRequestException } => true,
                { Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } => true,
                _ => false,
            }),
        }));
        services.AddHostedService<AgentWorker>();
        return new AgentWorkerBuilder(services, http, handlers);
    }
}
