using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Mcp;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>The scripted provider, a real MCP server on loopback, and the API configured with both.</summary>
public sealed class McpToolsFixture : IAsyncLifetime
{
    public const string Secret = "Bearer mcp-test-secret";

    public ScriptedLlmServer Llm { get; private set; } = null!;

    public TestMcpServer Mcp { get; private set; } = null!;

    public HostedAgentsFactory Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Llm = await ScriptedLlmServer.StartAsync();
        Mcp = await TestMcpServer.StartAsync();
        Api = new HostedAgentsFactory(Llm.Endpoint, new Dictionary<string, string>
        {
            ["Mcp:Servers:test:Url"] = Mcp.BaseUrl + "/mcp",
            ["Mcp:Servers:test:AuthHeader"] = "Authorization",
            ["Mcp:Servers:test:AuthValue"] = Secret,
            ["Mcp:Servers:test:AllowedTools:0"] = "add",
            ["Mcp:Servers:test:AllowedTools:1"] = "fail",
            ["Mcp:Servers:down:Url"] = Mcp.BaseUrl + "/down",
            ["Mcp:Servers:down:AllowedTools:0"] = "add",
            ["Mcp:Servers:down:TimeoutSeconds"] = "5",
            ["CircuitBreakers:Overrides:0:Name"] = "mcp:down",
            ["CircuitBreakers:Overrides:0:MinimumThroughput"] = "2",
            ["CircuitBreakers:Overrides:0:FailureRatio"] = "0.5",
            ["CircuitBreakers:Overrides:0:SamplingDuration"] = "00:01:00",
            ["CircuitBreakers:Overrides:0:BreakDuration"] = "00:05:00",
        });
        _ = Api.Server;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Mcp.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

/// <summary>
/// Hosted agents with <c>mcp:{server}/{tool}</c> tools: the real ChatClientAgent calls a real MCP
/// server through the C# SDK's client, behind the server's breaker, limiter and metrics.
/// </summary>
public sealed class McpToolsTests(McpToolsFixture fixture) : IClassFixture<McpToolsFixture>
{
    private static readonly string[] Chat = ["chat"];

    private readonly HttpClient _dev = fixture.Api.ClientFor("dev-" + Guid.NewGuid().ToString("N")[..8], Roles.Developer);

    private async Task<HttpResponseMessage> RegisterAsync(string id, string model, params string[] tools) =>
        await _dev.PostAsJsonAsync("/api/agents", new
        {
            id,
            name = "mcp user",
            capabilities = Chat,
            instructions = "Use the tool.",
            model = new { provider = HostedAgentsFixture.Provider, model },
            tools,
        });

    /// <summary>Registers an agent, sends one message and reads the events to the turn's end (the stream ends with it).</summary>
    private async Task<Turn> RunTurnAsync(string model, string tool)
    {
        var agent = "mcp-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(agent, model, tool)).StatusCode);
        var started = await _dev.PostAsync($"/api/agents/{agent}/conversations", null);
        var conversation = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var sent = await _dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "please" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turnId = (string)(await sent.Content.ReadFromJsonAsync<JsonObject>())!["turnId"]!;

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var text = await _dev.GetStringAsync($"/api/conversations/{conversation}/events", timeout.Token);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block => block.Split('\n')).Select(lines => (
            Event: lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..],
            Data: JsonNode.Parse(lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])!.AsObject())).ToList();
        var last = events[^1];
        return new Turn(conversation, turnId, last.Event == "turn" ? "turn:" + (string?)last.Data["state"] : last.Event,
            (string?)events.LastOrDefault(e => e.Event == "message").Data?["text"],
            events.Single(e => e.Event == "tool_result").Data["result"]?.DeepClone());
    }

    private sealed record class Turn(string Conversation, string Id, string LastEvent, string? Reply, JsonNode? ToolResult)
    {
        public string? ErrorCode => ToolResult is JsonObject error ? (string?)error["error"] : null;
    }

    [Fact]
    public async Task AnMcpTool_IsCalledOnTheConfiguredServer_WithItsSchemaSecretAndEffectKey_AndItsResultReachesTheModel()
    {
        var turn = await RunTurnAsync("call:mcp_test_add", "mcp:test/add");

        Assert.Equal("turn:completed", turn.LastEvent);
        Assert.Equal("5", turn.ToolResult?.ToJsonString());
        Assert.Equal("Tools said: 5", turn.Reply);

        // The model was offered the tool with the schema from the server's tools/list.
        var offered = fixture.Llm.Requests.First(r => (string?)r["model"] == "call:mcp_test_add")["tools"]!.AsArray()
            .Single(t => (string?)t!["function"]!["name"] == "mcp_test_add")!["function"]!;
        Assert.Equal("Adds two integers and answers their sum.", (string?)offered["description"]);
        Assert.Equal(["a", "b"], offered["parameters"]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        // The configured secret went along; the effect key names the conversation, turn and call.
        var call = Assert.Single(TestMcpServer.AddCalls, c => c.EffectKey?.StartsWith(turn.Conversation, StringComparison.Ordinal) == true);
        Assert.Equal(McpToolsFixture.Secret, call.Authorization);
        Assert.Equal($"{turn.Conversation}:{turn.Id}:call_1", call.EffectKey);

        var metrics = fixture.Api.Services.GetRequiredService<McpMetrics>();
        Assert.True(metrics.Calls("test", "add", "success") >= 1);
        var text = await fixture.Api.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains("orleansagents_mcp_tool_calls{outcome=\"success\",server=\"test\",tool=\"add\"}", text, StringComparison.Ordinal);
        Assert.Contains("orleansagents_mcp_tool_call_duration_seconds_count{server=\"test\",tool=\"add\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolThatFails_AnswersTheModelWithAToolError_AndTheTurnStillAnswers()
    {
        var turn = await RunTurnAsync("call:mcp_test_fail", "mcp:test/fail");

        Assert.Equal("turn:completed", turn.LastEvent);
        Assert.Equal("mcp.tool_error", turn.ErrorCode);
        Assert.StartsWith("Tools said: ", turn.Reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mcp:test/secret", "agent.mcp_tool_not_allowed")]
    [InlineData("mcp:nowhere/add", "agent.unknown_mcp_server")]
    [InlineData("mcp:test", "agent.invalid_tool")]
    public async Task ARegistrationWithAToolNoServerAllows_Is400WithItsCode(string tool, string code)
    {
        var response = await RegisterAsync("mcp-" + Guid.NewGuid().ToString("N")[..12], "plain", tool);
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task AServerThatIsDown_OpensItsBreaker_AndTheToolAnswersCircuitOpen_WhileTurnsStillAnswer()
    {
        var admin = fixture.Api.ClientFor("admin-" + Guid.NewGuid().ToString("N")[..8], Roles.Admin);
        var first = await RunTurnAsync("call:mcp_down_add", "mcp:down/add");
        Assert.Equal("turn:completed", first.LastEvent);
        Assert.Equal("mcp.network_error", first.ErrorCode);
        await Eventually.HoldsAsync(async () =>
        {
            var turn = await RunTurnAsync("call:mcp_down_add", "mcp:down/add");
            Assert.Equal("turn:completed", turn.LastEvent);
            Assert.StartsWith("Tools said: ", turn.Reply, StringComparison.Ordinal);
            return turn.ErrorCode == "mcp.circuit_open";
        }, "the mcp:down breaker opens and the tool call is not made");

        var breaker = await admin.GetFromJsonAsync<JsonObject>("/api/circuit-breakers/mcp:down");
        Assert.Equal("open", (string?)breaker!["state"]);
        Assert.True(fixture.Api.Services.GetRequiredService<McpMetrics>().Calls("down", "add", "circuit_open") >= 1);
    }
}
