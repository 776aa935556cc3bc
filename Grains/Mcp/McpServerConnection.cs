using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Mcp;

/// <summary>
/// One configured MCP server as this process sees it: one MCP client (connected on first use and
/// again after a transport failure), the tools/list answer cached for <c>ToolListTtlSeconds</c>,
/// and every call through, in order, the per-process token bucket, the cluster breaker
/// <c>mcp:{server}</c> and the per-call timeout. Network errors, timeouts and HTTP failures count
/// against the breaker; a JSON-RPC error or a tool's own error result does not (the server answered).
/// </summary>
public sealed class McpServerConnection(
    string server,
    McpServerOptions options,
    HttpClient http,
    GuardedCalls guarded,
    McpMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    public const string ListToolsLabel = "tools/list";

    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly TokenBucketRateLimiter _limiter = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = options.CallsPerMinute,
        TokensPerPeriod = options.CallsPerMinute,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    private McpClient? _client;
    private (IReadOnlyList<Tool> Tools, DateTimeOffset At)? _tools;

    public string Server => server;

    /// <summary>The server's tools (name, description, input schema), from the cache while it is fresh.</summary>
    public async ValueTask<IReadOnlyList<Tool>> ListToolsAsync(CancellationToken cancellationToken)
    {
        if (_tools is { } cached && time.GetUtcNow() - cached.At < TimeSpan.FromSeconds(options.ToolListTtlSeconds))
        {
            return cached.Tools;
        }

        var tools = await RunAsync(ListToolsLabel, async (client, ct) =>
            (IReadOnlyList<Tool>)[.. (await client.ListToolsAsync(cancellationToken: ct)).Select(t => t.ProtocolTool)], cancellationToken);
        _tools = (tools, time.GetUtcNow());
        return tools;
    }

    /// <summary>tools/call with the effect key in <c>_meta</c> (see docs/api.md for what a server may do with it).</summary>
    public ValueTask<CallToolResult> CallToolAsync(string tool, IReadOnlyDictionary<string, object?> arguments, string effectKey, CancellationToken cancellationToken) =>
        RunAsync(tool, (client, ct) => client.CallToolAsync(tool, arguments, null,
            new RequestOptions { Meta = new() { [EffectKeyMeta] = effectKey } }, ct), cancellationToken);

    /// <summary>The <c>_meta</c> key that carries the effect key of a call.</summary>
    public const string EffectKeyMeta = "orleansagents/effectKey";

    private async ValueTask<T> RunAsync<T>(string tool, Func<McpClient, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        using var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            metrics.Call(server, tool, "rate_limited");
            lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter);
            throw new SkillException("mcp.rate_limited", $"MCP server '{server}' allows {options.CallsPerMinute} calls per minute from this process.", transient: true, retryAfter);
        }

        try
        {
            var result = await guarded.RunAsync("mcp:" + server, "mcp", ct => TimedAsync(tool, call, ct), cancellationToken);
            metrics.Call(server, tool, "success");
            return result;
        }
        catch (SkillException ex)
        {
            metrics.Call(server, tool, ex.Code["mcp.".Length..]);
            throw;
        }
    }

    private async ValueTask<T> TimedAsync<T>(string tool, Func<McpClient, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds)); // real time: the network does not follow a test clock
        var started = Stopwatch.GetTimestamp();
        McpClient? client = null;
        try
        {
            client = await ClientAsync(timeout.Token);
            return await call(client, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            await ResetAsync(client);
            throw new SkillException("mcp.timeout", $"MCP server '{server}' did not answer within {options.TimeoutSeconds} s.", transient: true, inner: ex);
        }
        catch (McpProtocolException ex)
        {
            throw new SkillException("mcp.protocol_error", $"MCP server '{server}' refused the request ({ex.ErrorCode}): {ex.Message}", transient: false, inner: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or McpException or IOException)
        {
            await ResetAsync(client);
            throw new SkillException("mcp.network_error", $"MCP server '{server}' could not be reached ({ex.GetType().Name}).", transient: true, inner: ex);
        }
        finally
        {
            metrics.Duration(server, tool, Stopwatch.GetElapsedTime(started));
        }
    }

    private async ValueTask<McpClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } connected)
        {
            return connected;
        }

        await _connect.WaitAsync(cancellationToken);
        try
        {
            if (_client is null)
            {
                var headers = string.IsNullOrEmpty(options.AuthHeader) ? null : new Dictionary<string, string> { [options.AuthHeader] = options.AuthValue! };
                var transport = new HttpClientTransport(new HttpClientTransportOptions
                {
                    Endpoint = new Uri(options.Url),
                    TransportMode = HttpTransportMode.StreamableHttp,
                    Name = server,
                    AdditionalHeaders = headers,
                }, http, loggers, ownsHttpClient: false);
                _client = await McpClient.CreateAsync(transport, new McpClientOptions
                {
                    ClientInfo = new Implementation { Name = "orleans-agents", Version = "1.0" },
                }, loggers, cancellationToken);
            }

            return _client;
        }
        finally
        {
            _connect.Release();
        }
    }

    /// <summary>After a transport failure the next call connects again (a server restart loses its sessions).</summary>
    private async ValueTask ResetAsync(McpClient? failed)
    {
        if (failed is not null && Interlocked.CompareExchange(ref _client, null, failed) == failed)
        {
            await failed.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is { } client)
        {
            await client.DisposeAsync();
        }

        _limiter.Dispose();
        _connect.Dispose();
    }
}
