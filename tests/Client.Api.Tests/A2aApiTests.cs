using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// A2A JSON-RPC on the real API with hosted agents on the scripted provider: bad input is a
/// JSON-RPC error with the protocol's code and our error code (never a 500), and tasks and contexts
/// belong to their caller.
/// </summary>
public sealed class A2aApiTests(HostedAgentsFixture fixture) : IClassFixture<HostedAgentsFixture>
{
    private static readonly string[] Chat = ["chat"];

    private readonly HttpClient _dev = fixture.Api.ClientFor("a2a-dev-" + Guid.NewGuid().ToString("N")[..8], Roles.Developer);

    private async Task<string> RegisterAsync()
    {
        var id = "a2a-" + Guid.NewGuid().ToString("N")[..12];
        var response = await _dev.PostAsJsonAsync("/api/agents", new
        {
            id,
            name = "assistant",
            description = "Says hello.",
            capabilities = Chat,
            instructions = "You are a test assistant.",
            model = new { provider = HostedAgentsFixture.Provider, model = "plain" },
            tools = Array.Empty<string>(),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static async Task<JsonObject> RpcAsync(HttpClient http, string path, string body, string? version = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (version is not null)
        {
            request.Headers.Add("A2A-Version", version);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("2.0", (string?)json["jsonrpc"]);
        return json;
    }

    private static Task<JsonObject> CallAsync(HttpClient http, string path, string method, object parameters) =>
        RpcAsync(http, path, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 7, ["method"] = method, ["params"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(parameters)) }.ToJsonString());

    private static object Message(string text, string? contextId = null) => new
    {
        message = new { messageId = Guid.NewGuid().ToString(), role = "ROLE_USER", contextId, parts = new[] { new { text } } },
    };

    private static void AssertError(JsonObject response, int code, string errorCode)
    {
        Assert.True(response["error"] is not null, response.ToJsonString());
        Assert.Equal(code, (int)response["error"]!["code"]!);
        Assert.Equal(errorCode, (string?)response["error"]!["data"]![0]!["metadata"]!["code"]);
    }

    [Theory]
    [InlineData("{not json", -32700, "a2a.parse_error")]
    [InlineData("[1,2]", -32600, "a2a.invalid_request")]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"GetTask"}""", -32600, "a2a.invalid_request")]
    [InlineData("""{"jsonrpc":"2.0","id":{"x":1},"method":"GetTask"}""", -32600, "a2a.invalid_request")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"message/send","params":{}}""", -32601, "a2a.method_not_found")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"GetTask","params":[1]}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":5}}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"c_aaaaaaaaaaaaaaaaaaaaaaaaaa.1"}}""", -32001, "a2a.task_not_found")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"../../etc"}}""", -32001, "a2a.task_not_found")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"pageSize":0}}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"pageToken":"forged"}}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":"hi"}}}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_AGENT","parts":[{"text":"hi"}]}}}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]}}}""", -32602, "a2a.invalid_params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"url":"file:///etc/passwd"}]},"metadata":{"agentId":"x"}}}""", -32005, "a2a.content_type_not_supported")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]},"metadata":{"agentId":"Not An Id"}}}""", -32602, "agent.invalid_id")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]},"metadata":{"agentId":"no-such-agent"}}}""", -32602, "agent.not_found")]
    public async Task BadInput_IsAJsonRpcError_WithTheProtocolCodeAndOurCode(string body, int code, string errorCode)
    {
        AssertError(await RpcAsync(_dev, "/api/a2a", body), code, errorCode);
    }

    [Fact]
    public async Task AnotherVersion_IsRefused_AndAnonymousCallers_Get401()
    {
        AssertError(await RpcAsync(_dev, "/api/a2a", """{"jsonrpc":"2.0","id":1,"method":"ListTasks"}""", version: "0.3"), -32009, "a2a.version_not_supported");
        var anonymous = fixture.Api.CreateClient();
        var response = await anonymous.PostAsync("/api/a2a", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ListTasks"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AResentMessageInAContext_IsTheSameTask()
    {
        var agent = await RegisterAsync();
        var path = $"/api/a2a/agents/{agent}";
        var first = await CallAsync(_dev, path, "SendMessage", Message("hello"));
        var contextId = (string)first["result"]!["task"]!["contextId"]!;

        object Again(string text) => new
        {
            message = new { messageId = "m-again", role = "ROLE_USER", contextId, parts = new[] { new { text } } },
        };
        var sent = await CallAsync(_dev, path, "SendMessage", Again("once more"));
        var resent = await CallAsync(_dev, path, "SendMessage", Again("once more"));
        Assert.Equal($"{contextId}.2", (string?)sent["result"]!["task"]!["id"]);
        Assert.Equal($"{contextId}.2", (string?)resent["result"]!["task"]!["id"]);
        Assert.True(resent["error"] is null, resent.ToJsonString());

        var other = await CallAsync(_dev, path, "SendMessage", Again("something else"));
        Assert.True(other["error"] is not null, other.ToJsonString());
        Assert.Equal("conversation.idempotency_conflict", (string?)other["error"]!["data"]![0]!["metadata"]!["code"]);
    }

    [Fact]
    public async Task TasksAndContexts_BelongToTheirCaller()
    {
        var agent = await RegisterAsync();
        var path = $"/api/a2a/agents/{agent}";
        var sent = await CallAsync(_dev, path, "SendMessage", Message("hello"));
        var task = sent["result"]!["task"]!;
        Assert.Equal("TASK_STATE_COMPLETED", (string?)task["status"]!["state"]);
        Assert.Equal(7, (int)sent["id"]!);
        var taskId = (string)task["id"]!;
        var contextId = (string)task["contextId"]!;

        var own = await CallAsync(_dev, path, "GetTask", new { id = taskId });
        Assert.Equal("Hello from the scripted model.", (string?)own["result"]!["artifacts"]![0]!["parts"]![0]!["text"]);

        var other = fixture.Api.ClientFor("a2a-other-" + Guid.NewGuid().ToString("N")[..8], Roles.Developer);
        AssertError(await CallAsync(other, path, "GetTask", new { id = taskId }), -32001, "a2a.task_not_found");
        AssertError(await CallAsync(other, "/api/a2a", "CancelTask", new { id = taskId }), -32001, "a2a.task_not_found");
        AssertError(await CallAsync(other, path, "SendMessage", Message("let me in", contextId)), -32602, "a2a.context_not_found");
        var listed = await CallAsync(other, path, "ListTasks", new { contextId });
        Assert.Empty(listed["result"]!["tasks"]!.AsArray());

        // The task is not the agent's to show on another agent's endpoint either.
        var elsewhere = await RegisterAsync();
        AssertError(await CallAsync(_dev, $"/api/a2a/agents/{elsewhere}", "GetTask", new { id = taskId }), -32001, "a2a.task_not_found");

        var viewer = fixture.Api.ClientFor("a2a-viewer-" + Guid.NewGuid().ToString("N")[..8], Roles.Viewer);
        AssertError(await CallAsync(viewer, path, "SendMessage", Message("hi")), -32040, "auth.forbidden");
        AssertError(await CallAsync(_dev, path, "CancelTask", new { id = taskId }), -32002, "a2a.task_not_cancelable");
    }

    [Fact]
    public async Task AgentCard_ListsHostedAgents_OnlyToCallersWhoMayReadThem()
    {
        var agent = await RegisterAsync();
        var card = (await _dev.GetFromJsonAsync<JsonObject>("/.well-known/agent-card.json"))!;
        Assert.Contains(card["skills"]!.AsArray(), s => (string?)s!["id"] == agent);
        Assert.Equal("Bearer", (string?)card["securitySchemes"]!["bearer"]!["httpAuthSecurityScheme"]!["scheme"]);

        var anonymous = (await fixture.Api.CreateClient().GetFromJsonAsync<JsonObject>("/.well-known/agent-card.json"))!;
        Assert.Empty(anonymous["skills"]!.AsArray());

        var own = await _dev.GetAsync($"/api/a2a/agents/{agent}/.well-known/agent-card.json");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var missing = await _dev.GetAsync("/api/a2a/agents/no-such-agent/.well-known/agent-card.json");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task JsonRpcCalls_SpendTheCallersRateLimit_Like_Any_Api_Request()
    {
        var user = "a2a-limited-" + Guid.NewGuid().ToString("N")[..8];
        var admin = fixture.Api.ClientFor("a2a-admin-" + Guid.NewGuid().ToString("N")[..8], Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/rate-limits/{user}/tier", new { tier = "free" })).StatusCode);
        var limited = fixture.Api.ClientFor(user, Roles.Developer);

        // The free tier allows 10 requests a minute: well before 30 calls one is refused with the API's 429.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 30 && refused is null; i++)
        {
            var response = await limited.PostAsync("/api/a2a", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ListTasks"}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        Assert.NotNull(refused);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("rate_limit.exceeded", (string?)problem["code"]);
    }
}
