using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OrleansAgents.Tests;

/// <summary>
/// A real MCP server on 127.0.0.1 (the C# SDK's ASP.NET Core transport, stateless Streamable HTTP)
/// with <c>add</c>, <c>fail</c> (throws) and <c>secret</c> (never allowed) at <c>/mcp</c>, and
/// <c>/down</c>, which answers 503 to everything: a server that is down.
/// </summary>
public sealed class TestMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestMcpServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The Authorization header and the effect key of each tools/call that reached <c>add</c>.</summary>
    public static ConcurrentQueue<(string? Authorization, string? EffectKey)> AddCalls { get; } = new();

    public static async Task<TestMcpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = true).WithTools<Tools>();
        var app = builder.Build();
        app.MapMcp("/mcp");
        app.Map("/down", (HttpContext context) => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync();
        var server = new TestMcpServer(app)
        {
            BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/'),
        };
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [McpServerToolType]
    public sealed class Tools(IHttpContextAccessor http)
    {
        [McpServerTool(Name = "add"), Description("Adds two integers and answers their sum.")]
        public int Add(RequestContext<CallToolRequestParams> request, [Description("first addend")] int a, [Description("second addend")] int b)
        {
            AddCalls.Enqueue((http.HttpContext?.Request.Headers.Authorization.ToString(), (string?)request.Params?.Meta?["orleansagents/effectKey"]));
            return a + b;
        }

        [McpServerTool(Name = "fail"), Description("Always fails.")]
        public static int Fail(int a, int b) => throw new InvalidOperationException($"fail({a}, {b}) always fails");

        [McpServerTool(Name = "secret"), Description("Not on the allow-list.")]
        public static string Secret() => "should never be called";
    }
}
