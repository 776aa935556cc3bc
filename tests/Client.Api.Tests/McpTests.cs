using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>/mcp through the MCP C# SDK's own client, over the test server's handler.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class McpTests(ApiFactory factory)
{
    private readonly HttpClient _admin = factory.CreateClient();

    private static async Task<McpClient> ConnectAsync(HttpClient http)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }, http, ownsHttpClient: false);
        return await McpClient.CreateAsync(transport);
    }

    private static JsonObject Body(CallToolResult result) =>
        JsonNode.Parse(result.Content.OfType<TextContentBlock>().Single().Text)!.AsObject();

    private async Task<string> RegisterAgentAsync(string capability)
    {
        var id = "mcp-" + Guid.NewGuid().ToString("N")[..10];
        var created = await _admin.PostAsJsonAsync("/api/agents", new { id, name = "MCP test", capabilities = new[] { capability }, maxConcurrentTasks = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return id;
    }

    [Fact]
    public async Task ListTools_ShowsEveryTool_AndListAgentsCallsTheRegistry()
    {
        var capability = "cap-" + Guid.NewGuid().ToString("N")[..8];
        var agent = await RegisterAgentAsync(capability);
        await using var client = await ConnectAsync(_admin);

        var tools = await client.ListToolsAsync();
        Assert.Equal(
            ["approve_workflow_step", "ask_agent", "get_agent", "get_agent_answer", "get_agent_trust", "get_task", "get_workflow_run", "list_agents",
             "list_trust_rankings", "reject_workflow_step", "search_workflows", "start_workflow_run", "submit_task"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));

        var result = await client.CallToolAsync("list_agents", new Dictionary<string, object?> { ["capability"] = capability });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal([agent], Body(result)["items"]!.AsArray().Select(a => (string?)a!["id"]));
        Assert.Equal(agent, result.StructuredContent!.Value.GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task SubmitTask_ThenGetTask_ReturnsTheTaskAtOnce()
    {
        var agent = await RegisterAgentAsync("echoes");
        await using var client = await ConnectAsync(_admin);
        var submitted = await client.CallToolAsync("submit_task", new Dictionary<string, object?>
        {
            ["skill"] = "echo",
            ["input"] = new { word = "hi" },
            ["agentId"] = agent,
            ["idempotencyKey"] = "mcp-key-1",
        });
        Assert.NotEqual(true, submitted.IsError);
        var id = (string)Body(submitted)["id"]!;
        var again = await client.CallToolAsync("submit_task", new Dictionary<string, object?>
        {
            ["skill"] = "echo", ["input"] = new { word = "hi" }, ["agentId"] = agent, ["idempotencyKey"] = "mcp-key-1",
        });
        Assert.Equal(id, (string?)Body(again)["id"]);

        var read = await client.CallToolAsync("get_task", new Dictionary<string, object?> { ["taskId"] = id });
        Assert.Equal(agent, (string?)Body(read)["agentId"]);
    }

    [Fact]
    public async Task DomainErrors_AreToolErrorsWithOurCode()
    {
        await using var client = await ConnectAsync(_admin);
        var missing = await client.CallToolAsync("get_agent", new Dictionary<string, object?> { ["agentId"] = "no-such-agent-" + Guid.NewGuid().ToString("N")[..6] });
        Assert.True(missing.IsError);
        Assert.Equal("agent.not_found", (string?)Body(missing)["code"]);
        Assert.Equal(404, (int?)Body(missing)["status"]);

        var notWaiting = await client.CallToolAsync("approve_workflow_step", new Dictionary<string, object?> { ["runId"] = "r_" + new string('a', 26), ["stepId"] = "gate" });
        Assert.True(notWaiting.IsError);
        Assert.Equal("workflow.run_not_found", (string?)Body(notWaiting)["code"]);
    }

    [Fact]
    public async Task ApproveTool_KeepsSeparationOfDuties_LikeTheEndpoint()
    {
        var runId = await Security.ApprovalTests.WaitingRunAsync(_admin);
        await using var starter = await ConnectAsync(_admin);
        var self = await starter.CallToolAsync("approve_workflow_step", new Dictionary<string, object?> { ["runId"] = runId, ["stepId"] = "ship" });
        Assert.True(self.IsError);
        Assert.Equal("workflow.self_approval", (string?)Body(self)["code"]);

        await using var developer = await ConnectAsync(factory.ClientFor("mcp-dev-" + Guid.NewGuid().ToString("N")[..6], Roles.Developer));
        var unpermitted = await developer.CallToolAsync("reject_workflow_step", new Dictionary<string, object?> { ["runId"] = runId, ["stepId"] = "ship" });
        Assert.True(unpermitted.IsError);
        Assert.Equal("auth.forbidden", (string?)Body(unpermitted)["code"]);

        await using var approver = await ConnectAsync(factory.ClientFor("mcp-ops-" + Guid.NewGuid().ToString("N")[..6], Roles.Operator));
        var approved = await approver.CallToolAsync("approve_workflow_step", new Dictionary<string, object?> { ["runId"] = runId, ["stepId"] = "ship" });
        Assert.NotEqual(true, approved.IsError);
    }

    [Theory]
    [InlineData("get_agent", "{}", "request.invalid")]
    [InlineData("get_agent", "{\"agentId\":\"a\",\"colour\":\"red\"}", "request.unknown_field")]
    [InlineData("get_agent", "{\"agentId\":5}", "request.wrong_type")]
    [InlineData("list_agents", "{\"limit\":2.5}", "request.wrong_type")]
    [InlineData("list_agents", "{\"limit\":0}", "request.invalid_limit")]
    [InlineData("submit_task", "{\"skill\":\"echo\",\"input\":{},\"agentId\":\"a\",\"capability\":\"b\"}", "task.invalid_target")]
    [InlineData("submit_task", "{\"skill\":\"echo\",\"input\":{},\"agentId\":\"a\",\"priority\":\"urgent\"}", "request.wrong_type")]
    [InlineData("submit_task", "{\"skill\":\"echo\",\"input\":{},\"agentId\":\"a\",\"idempotencyKey\":\"\"}", "task.invalid_idempotency_key")]
    [InlineData("start_workflow_run", "{\"workflowId\":\"wf-none\",\"mode\":\"sideways\"}", "request.wrong_type")]
    public async Task BadArguments_AreToolErrorsWithTheHttpApisCode(string tool, string arguments, string code)
    {
        await using var client = await ConnectAsync(_admin);
        var args = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments)!;
        var result = await client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = args });
        Assert.True(result.IsError, result.Content.OfType<TextContentBlock>().Single().Text);
        Assert.Equal(code, (string?)Body(result)["code"]);
    }

    [Fact]
    public async Task MissingPermission_IsAToolErrorNamingIt()
    {
        using var http = factory.ClientFor("mcp-viewer", Roles.Viewer);
        await using var client = await ConnectAsync(http);
        var read = await client.CallToolAsync("list_agents", new Dictionary<string, object?>());
        Assert.NotEqual(true, read.IsError);

        var submit = await client.CallToolAsync("submit_task", new Dictionary<string, object?> { ["skill"] = "echo", ["input"] = new { }, ["agentId"] = "a" });
        Assert.True(submit.IsError);
        Assert.Equal("auth.forbidden", (string?)Body(submit)["code"]);
        Assert.Contains(Permissions.AgentExecute, (string?)Body(submit)["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCalls_SpendTheSameBucketAsTheHttpApi()
    {
        var user = "mcp-limited-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsJsonAsync($"/api/rate-limits/{user}/tier", new { tier = "free" })).StatusCode);
        using var http = factory.ClientFor(user, Roles.Viewer);
        await using var client = await ConnectAsync(http);

        // The free tier allows 10 calls a minute: 5 over HTTP and 5 as tools use them up.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/agents?limit=1")).StatusCode);
            Assert.NotEqual(true, (await client.CallToolAsync("list_agents", new Dictionary<string, object?> { ["limit"] = 1 })).IsError);
        }

        var limited = await client.CallToolAsync("list_agents", new Dictionary<string, object?> { ["limit"] = 1 });
        Assert.True(limited.IsError);
        Assert.Equal("rate_limit.exceeded", (string?)Body(limited)["code"]);
        Assert.Equal("free", (string?)Body(limited)["tier"]);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.GetAsync("/api/agents?limit=1")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_Gets401_AndMalformedMessagesNever500()
    {
        using var anonymous = factory.AnonymousClient();
        using var refused = await anonymous.SendAsync(Rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("auth.required", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["code"]);

        var oversized = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_agent\",\"arguments\":{\"agentId\":\""
            + new string('a', 2 * 1024 * 1024) + "\"}}}";
        foreach (var body in new[] { "not json", "{}", "[]", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":5}}", oversized })
        {
            using var response = await _admin.SendAsync(Rpc(body));
            Assert.True((int)response.StatusCode < 500, $"{body[..Math.Min(body.Length, 80)]} → {(int)response.StatusCode}");
        }
    }

    private static HttpRequestMessage Rpc(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        return request;
    }
}
