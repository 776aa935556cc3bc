using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansAgents.Tests.Skills;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (free port) with an HTTP target under <c>/api/</c> and an
/// OpenAI-compatible <c>/{provider}/v1/chat/completions</c> whose behaviour the model name picks:
/// <c>fail-500</c>, <c>fail-429</c> (Retry-After: 3), <c>fail-400</c>, <c>slow</c> (30 s), else a
/// completion with usage 7 + 5 tokens. Every request is counted by path.
/// </summary>
public sealed class FakeServer : IAsyncDisposable
{
    public const int PromptTokens = 7;
    public const int CompletionTokens = 5;

    private static readonly int[] Items = [1, 2];

    private readonly WebApplication _app;

    private FakeServer(WebApplication app) => _app = app;

    public ConcurrentDictionary<string, int> Hits { get; } = new(StringComparer.Ordinal);

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The breaker name of this server's host, as http.request derives it.</summary>
    public string HostLabel => $"127.0.0.1:{BaseUri.Port.ToString(CultureInfo.InvariantCulture)}";

    public int HitsOf(string path) => Hits.GetValueOrDefault(path);

    public static async Task<FakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeServer(app);
        app.Use(async (context, next) =>
        {
            server.Hits.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            await next(context);
        });
        MapTarget(app);
        app.MapPost("/{provider}/v1/chat/completions", ChatAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void MapTarget(WebApplication app)
    {
        app.MapGet("/api/json", (HttpContext context) =>
        {
            context.Response.Headers.SetCookie = "session=secret";
            context.Response.Headers["X-Internal"] = "hidden";
            context.Response.Headers.ETag = "\"v1\"";
            return Results.Json(new { ok = true, items = Items });
        });
        app.MapGet("/api/text", () => Results.Text("hello", "text/plain"));
        app.Map("/api/status/{code:int}", (HttpContext context, int code) =>
        {
            if (code is 429 or 503)
            {
                context.Response.Headers.RetryAfter = "7";
            }

            return Results.StatusCode(code);
        });
        app.MapGet("/api/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Results.Ok();
        });
        app.MapGet("/api/big", () => Results.Bytes(new byte[(1024 * 1024) + 1], "application/octet-stream"));
        app.MapGet("/api/big-chunked", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 20; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        app.MapPost("/api/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return Results.Json(new
            {
                method = context.Request.Method,
                contentType = context.Request.ContentType,
                authorization = context.Request.Headers.Authorization.ToString(),
                body = await reader.ReadToEndAsync(),
            });
        });
    }

    private static async Task<IResult> ChatAsync(HttpContext context, string provider)
    {
        var request = await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body);
        var model = (string?)request?["model"] ?? "";
        var messages = request?["messages"]?.AsArray() ?? [];
        switch (model)
        {
            case "fail-500":
                return Results.Json(new { error = new { message = "boom", type = "server_error" } }, statusCode: 500);
            case "fail-429":
                context.Response.Headers.RetryAfter = "3";
                return Results.Json(new { error = new { message = "slow down", type = "rate_limit" } }, statusCode: 429);
            case "fail-400":
                return Results.Json(new { error = new { message = "model 'fail-400' not found", type = "invalid_request_error" } }, statusCode: 400);
            case "slow":
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                break;
            default:
                break;
        }

        var last = messages.LastOrDefault()?["content"]?.ToString();
        return Results.Json(new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"{provider} says: {last} ({messages.Count} messages)" },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens },
        });
    }
}
