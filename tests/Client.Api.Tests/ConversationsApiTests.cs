using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// Hosted agents end to end: HTTP → conversation grain → ChatClientAgent → OpenAI client → the
/// scripted provider, with tools run as child tasks and the turn streamed as Server-Sent Events.
/// </summary>
public sealed class ConversationsApiTests(HostedAgentsFixture fixture) : IClassFixture<HostedAgentsFixture>
{
    private static readonly string[] Chat = ["chat"];
    private static readonly string[] Other = ["x"];
    private static readonly string[] EchoAndMemory = ["echo", "memory"];
    private static readonly string[] AgentRunTool = ["agent.run"];

    private readonly HttpClient _dev = fixture.Api.ClientFor("dev-" + Guid.NewGuid().ToString("N")[..8], Roles.Developer);

    private static string NewId() => "hosted-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<string> RegisterAsync(HttpClient http, string model, string[]? tools = null, string? instructions = null)
    {
        var id = NewId();
        var response = await http.PostAsJsonAsync("/api/agents", new
        {
            id,
            name = "assistant",
            capabilities = Chat,
            instructions = instructions ?? "You are a test assistant.",
            model = new { provider = HostedAgentsFixture.Provider, model },
            tools = tools ?? [],
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static async Task<string> StartAsync(HttpClient http, string agent)
    {
        var response = await http.PostAsync($"/api/agents/{agent}/conversations", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var conversation = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"/api/conversations/{(string)conversation["id"]!}", response.Headers.Location?.OriginalString);
        return (string)conversation["id"]!;
    }

    private static async Task<JsonObject> SendAsync(HttpClient http, string conversation, string content)
    {
        var response = await http.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Reads the SSE stream to its end (it ends when no turn is left), with a deadline.</summary>
    private static async Task<List<(long Id, string Event, JsonObject Data)>> EventsAsync(HttpClient http, string conversation, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/conversations/{conversation}/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        var events = new List<(long, string, JsonObject)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var id = long.Parse(lines.Single(l => l.StartsWith("id: ", StringComparison.Ordinal))[4..], System.Globalization.CultureInfo.InvariantCulture);
            var name = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..];
            var data = JsonNode.Parse(lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])!.AsObject();
            events.Add((id, name, data));
        }

        return events;
    }

    [Fact]
    public async Task TurnWithTwoToolCalls_RunsEchoAsChildTasks_AndEndsWithTheFinalMessage_EventsInOrder()
    {
        var agent = await RegisterAsync(_dev, "tools", ["echo"], "Use the echo tool twice.");
        var conversation = await StartAsync(_dev, agent);
        var accepted = await SendAsync(_dev, conversation, "please echo one and two");
        Assert.Equal("1", (string?)accepted["turnId"]);

        var events = await EventsAsync(_dev, conversation);
        var kinds = events.Select(e => e.Event == "turn" ? "turn:" + (string?)e.Data["state"] : e.Event).ToList();
        Assert.Equal(["turn:queued", "turn:running", "tool_call", "tool_call", "tool_result", "tool_result", "delta", "message", "usage", "turn:completed"], kinds);
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));

        var calls = events.Where(e => e.Event == "tool_call").Select(e => e.Data).ToList();
        Assert.Equal(["call_1", "call_2"], calls.Select(c => (string?)c["callId"]));
        Assert.Equal("echo", (string?)calls[0]["tool"]);
        Assert.Equal("one", (string?)calls[0]["arguments"]!["text"]);
        Assert.Equal("two", (string?)calls[1]["arguments"]!["text"]);

        var results = events.Where(e => e.Event == "tool_result").Select(e => e.Data).ToList();
        Assert.True(results.All(r => r["result"]?["text"] is not null), string.Join("\n", results.Select(e => e.ToJsonString())));
        Assert.Equal("one", (string?)results[0]["result"]!["text"]);
        Assert.Equal("two", (string?)results[1]["result"]!["text"]);

        // Each tool call was a real task of the agent, keyed by conversation, turn and call id.
        var taskId = (string)results[0]["taskId"]!;
        var task = (await _dev.GetFromJsonAsync<JsonObject>($"/api/tasks/{taskId}"))!;
        Assert.Equal("succeeded", (string?)task["state"]);
        Assert.Equal(agent, (string?)task["agentId"]);
        Assert.Equal($"{conversation}:1:call_1", (string?)task["idempotencyKey"]);

        var message = events.Single(e => e.Event == "message").Data;
        Assert.Contains("one", (string?)message["text"], StringComparison.Ordinal);
        Assert.Contains("two", (string?)message["text"], StringComparison.Ordinal);
        Assert.StartsWith("Tools said: ", (string?)message["text"], StringComparison.Ordinal);

        var usage = events.Single(e => e.Event == "usage").Data["usage"]!;
        Assert.Equal(2, (int)usage["modelCalls"]!);
        Assert.Equal(2, (int)usage["toolCalls"]!);
        Assert.Equal(2 * ScriptedLlmServer.PromptTokens, (long)usage["inputTokens"]!);
        Assert.Equal(2 * ScriptedLlmServer.CompletionTokens, (long)usage["outputTokens"]!);
        Assert.Equal(((2 * ScriptedLlmServer.PromptTokens * 1m) + (2 * ScriptedLlmServer.CompletionTokens * 2m)) / 1_000_000m, (decimal)usage["costUsd"]!);

        // The second model call carried the instructions and both tool results.
        var second = fixture.Llm.Requests.Last(r => (string?)r["model"] == "tools");
        var roles = second["messages"]!.AsArray().Select(m => (string?)m!["role"]).ToList();
        Assert.Equal("system", roles[0]);
        Assert.Equal(2, roles.Count(r => r == "tool"));
        Assert.Equal(true, (bool?)second["stream"]);

        var history = (await _dev.GetFromJsonAsync<JsonObject>($"/api/conversations/{conversation}"))!;
        Assert.Equal("completed", (string?)history["turns"]![0]!["state"]);
        Assert.Equal((string?)message["text"], (string?)history["turns"]![0]!["reply"]);
    }

    [Fact]
    public async Task StreamedDeltas_ArriveInOrder_AndResumeWithLastEventId()
    {
        var agent = await RegisterAsync(_dev, "stream");
        var conversation = await StartAsync(_dev, agent);
        await SendAsync(_dev, conversation, "what is the answer?");

        var events = await EventsAsync(_dev, conversation);
        var deltas = events.Where(e => e.Event == "delta").ToList();
        Assert.Equal(ScriptedLlmServer.StreamDeltas, deltas.Select(d => (string?)d.Data["text"]));
        Assert.Equal("The answer is 42.", (string?)events.Single(e => e.Event == "message").Data["text"]);

        // Resume after the second delta: exactly what followed it, nothing before.
        var resumed = await EventsAsync(_dev, conversation, deltas[1].Id);
        Assert.Equal(events.SkipWhile(e => e.Id <= deltas[1].Id).Select(e => e.Id), resumed.Select(e => e.Id));
        Assert.Equal(ScriptedLlmServer.StreamDeltas[2..], resumed.Where(e => e.Event == "delta").Select(d => (string?)d.Data["text"]));

        // The session carries the history: the second turn's request holds the first exchange.
        await SendAsync(_dev, conversation, "and again?");
        await EventsAsync(_dev, conversation, resumed[^1].Id);
        var last = fixture.Llm.Requests.Last(r => (string?)r["model"] == "stream");
        var contents = last["messages"]!.AsArray().Select(m => m!["content"]?.ToJsonString() ?? "").ToList();
        Assert.Contains(contents, c => c.Contains("what is the answer?", StringComparison.Ordinal));
        Assert.Contains(contents, c => c.Contains("42.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondMessageWhileATurnRuns_IsQueued_AndRunsAfterIt()
    {
        var agent = await RegisterAsync(_dev, "slow");
        var conversation = await StartAsync(_dev, agent);
        var first = await SendAsync(_dev, conversation, "first");
        var second = await SendAsync(_dev, conversation, "second");
        Assert.Equal("2", (string?)second["turnId"]);
        Assert.Equal("queued", (string?)second["turn"]!["state"]);

        var events = await EventsAsync(_dev, conversation);
        long Seq(string turn, string state) => events.Single(e => e.Event == "turn" && (string?)e.Data["turnId"] == turn && (string?)e.Data["state"] == state).Id;
        Assert.True(Seq("1", "completed") < Seq("2", "running"), "the second turn started only after the first finished");
        var turns = (await _dev.GetFromJsonAsync<JsonObject>($"/api/conversations/{conversation}"))!["turns"]!.AsArray();
        Assert.Equal(["completed", "completed"], turns.Select(t => (string?)t!["state"]));
        Assert.Equal((string?)first["turnId"], (string?)turns[0]!["id"]);
    }

    [Fact]
    public async Task AResendWithTheSameIdempotencyKey_AnswersTheFirstTurn_AndAddsNone()
    {
        var agent = await RegisterAsync(_dev, "plain");
        var conversation = await StartAsync(_dev, agent);

        async Task<HttpResponseMessage> Send(string content, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/conversations/{conversation}/messages")
            {
                Content = JsonContent.Create(new { content }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return await _dev.SendAsync(request);
        }

        var first = await Send("hello once", "msg-1");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var resent = await Send("hello once", "msg-1");
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        Assert.Equal("1", (string?)(await resent.Content.ReadFromJsonAsync<JsonObject>())!["turnId"]);

        await ProblemAssert.IsAsync(await Send("something else", "msg-1"), HttpStatusCode.Conflict, "conversation.idempotency_conflict");
        await ProblemAssert.IsAsync(await Send("hello", " padded "), HttpStatusCode.BadRequest, "task.invalid_idempotency_key");

        var next = await Send("hello twice", "msg-2");
        Assert.Equal("2", (string?)(await next.Content.ReadFromJsonAsync<JsonObject>())!["turnId"]);
        await EventsAsync(_dev, conversation);
        var view = (await _dev.GetFromJsonAsync<JsonObject>($"/api/conversations/{conversation}"))!;
        Assert.Equal(2, (int)view["conversation"]!["turns"]!);
        Assert.Equal(["completed", "completed"], view["turns"]!.AsArray().Select(t => (string?)t!["state"]));
    }

    [Fact]
    public async Task Conversations_AreVisibleOnlyToTheirOwner_AndToHoldersOfReadAny()
    {
        var agent = await RegisterAsync(_dev, "plain");
        var conversation = await StartAsync(_dev, agent);
        await SendAsync(_dev, conversation, "hello");
        await EventsAsync(_dev, conversation);

        var owner = (string)(await _dev.GetFromJsonAsync<JsonObject>($"/api/conversations/{conversation}"))!["conversation"]!["owner"]!;
        var other = fixture.Api.ClientFor("other-" + Guid.NewGuid().ToString("N")[..8], Roles.Developer);
        foreach (var response in new[]
        {
            await other.GetAsync($"/api/conversations/{conversation}"),
            await other.GetAsync($"/api/conversations/{conversation}/events"),
            await other.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "hijack" }),
            await other.PostAsync($"/api/conversations/{conversation}/turns/1/cancel", null),
            await other.DeleteAsync($"/api/conversations/{conversation}"),
        })
        {
            await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound, "conversation.not_found");
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/agents/{agent}/conversations?owner={owner}")).StatusCode);
        var mine = (await other.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/conversations"))!;
        Assert.Empty(mine["items"]!.AsArray());

        // An operator holds conversation:read-any: it reads everyone's, but writes nobody's.
        var auditor = fixture.Api.ClientFor("auditor-" + Guid.NewGuid().ToString("N")[..8], Roles.Operator);
        var read = (await auditor.GetFromJsonAsync<JsonObject>($"/api/conversations/{conversation}"))!;
        Assert.Equal("Hello from the scripted model.", (string?)read["turns"]![0]!["reply"]);
        var listed = (await auditor.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/conversations?owner={owner}"))!;
        Assert.Equal(conversation, (string?)listed["items"]![0]!["id"]);
        var admin = fixture.Api.ClientFor("admin-" + Guid.NewGuid().ToString("N")[..8], Roles.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = "x" })).StatusCode);

        // The owner deletes it; afterwards it is gone for everyone.
        Assert.Equal(HttpStatusCode.NoContent, (await _dev.DeleteAsync($"/api/conversations/{conversation}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync($"/api/conversations/{conversation}")).StatusCode);
        Assert.Empty((await _dev.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/conversations"))!["items"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"nope"}}""", "agent.unknown_provider")]
    [InlineData("""{"id":"ID","name":"a","model":{}}""", "agent.invalid_model")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted","temperature":3}}""", "agent.invalid_model")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted","maxOutputTokens":0}}""", "agent.invalid_model")]
    [InlineData("""{"id":"ID","name":"a","instructions":"be nice"}""", "agent.invalid_model")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"tools":["no.such.skill"]}""", "agent.invalid_tool")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"tools":["http.request"]}""", "agent.tool_not_allowed")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"maxTurns":0}""", "agent.invalid_max_turns")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"maxToolCalls":-1}""", "agent.invalid_max_tool_calls")]
    [InlineData("""{"id":"ID","name":"a","kind":"external","model":{"provider":"scripted"}}""", "agent.invalid_kind")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"dailyBudgetUsd":0}""", "agent.invalid_budget")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"dailyBudgetTokens":0}""", "agent.invalid_budget")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted"},"dailyBudgetTokens":1000000000001}""", "agent.invalid_budget")]
    [InlineData("""{"id":"ID","name":"a","dailyBudgetTokens":5}""", "agent.invalid_model")]
    [InlineData("""{"id":"ID","name":"a","dailyBudgetUsd":5}""", "agent.invalid_model")]
    [InlineData("""{"id":"ID","name":"a","model":{"provider":"scripted","apiKey":"sk-secret"}}""", "request.unknown_field")]
    public async Task InvalidHostedRegistrations_Are400WithTheirCode(string body, string code)
    {
        var response = await _dev.PostAsync("/api/agents", new StringContent(body.Replace("ID", NewId(), StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task HostedRegistration_ShowsItsSettings_AndConversationsNeedAModelAndContent()
    {
        var id = NewId();
        var created = await _dev.PostAsJsonAsync("/api/agents", new
        {
            id, name = "helper", capabilities = Chat, instructions = "  Be brief.  ",
            model = new { provider = HostedAgentsFixture.Provider, temperature = 0.2, maxOutputTokens = 256 },
            tools = EchoAndMemory, maxTurns = 4, maxToolCalls = 3,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Be brief.", (string?)view["instructions"]);
        Assert.Equal(HostedAgentsFixture.Provider, (string?)view["model"]!["provider"]);
        Assert.Equal(256, (int)view["model"]!["maxOutputTokens"]!);
        Assert.Equal(["echo", "memory"], view["tools"]!.AsArray().Select(t => (string?)t));
        Assert.Equal(4, (int)view["maxTurns"]!);
        Assert.Equal("hosted", (string?)view["kind"]);

        var plain = NewId();
        Assert.Equal(HttpStatusCode.Created, (await _dev.PostAsJsonAsync("/api/agents", new { id = plain, name = "no model", capabilities = Other })).StatusCode);
        var refused = await _dev.PostAsync($"/api/agents/{plain}/conversations", null);
        await ProblemAssert.IsAsync(refused, HttpStatusCode.Conflict, "agent.not_hosted");
        Assert.Equal(HttpStatusCode.NotFound, (await _dev.PostAsync($"/api/agents/{NewId()}/conversations", null)).StatusCode);

        var conversation = await StartAsync(_dev, id);
        var empty = await _dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = " " });
        await ProblemAssert.IsAsync(empty, HttpStatusCode.BadRequest, "conversation.invalid_content");
        Assert.Equal(HttpStatusCode.BadRequest, (await _dev.GetAsync("/api/conversations/not-an-id")).StatusCode);
    }

    [Fact]
    public async Task ProviderThrottling_FailsTheTurnWithItsCode()
    {
        var agent = await RegisterAsync(_dev, "fail-429");
        var conversation = await StartAsync(_dev, agent);
        await SendAsync(_dev, conversation, "hello");
        var events = await EventsAsync(_dev, conversation);
        var failed = events.Last();
        Assert.Equal("turn", failed.Event);
        Assert.Equal("failed", (string?)failed.Data["state"]);
        Assert.Equal("llm.throttled", (string?)failed.Data["error"]!["code"]);
    }

    [Fact]
    public async Task CancellingARunningTurn_StopsIt_AndTheNextMessageStillRuns()
    {
        var agent = await RegisterAsync(_dev, "hang");
        var conversation = await StartAsync(_dev, agent);
        await SendAsync(_dev, conversation, "wait forever");
        await Eventually.HoldsAsync(
            async () => (string?)(await _dev.GetFromJsonAsync<JsonObject>($"/api/conversations/{conversation}"))!["conversation"]!["runningTurn"] == "1",
            "turn 1 to start running");

        var cancelled = await _dev.PostAsync($"/api/conversations/{conversation}/turns/1/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (string?)(await cancelled.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
        var events = await EventsAsync(_dev, conversation);
        Assert.Equal("cancelled", (string?)events[^1].Data["state"]);
        Assert.Equal(HttpStatusCode.NotFound, (await _dev.PostAsync($"/api/conversations/{conversation}/turns/9/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task AgentRunSkill_RunsATurnAsATask_AndAnswersWithTheReplyAndUsage()
    {
        var agent = await RegisterAsync(_dev, "plain");
        var runner = NewId();
        Assert.Equal(HttpStatusCode.Created, (await _dev.PostAsJsonAsync("/api/agents", new { id = runner, name = "runner", capabilities = Other })).StatusCode);
        var submitted = await _dev.PostAsJsonAsync($"/api/agents/{runner}/tasks", new { skill = "agent.run", input = new { agentId = agent, prompt = "hello" } });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var taskId = (string)(await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var task = await Eventually.HoldsAsync(
            async () => (await _dev.GetFromJsonAsync<JsonObject>($"/api/tasks/{taskId}"))!,
            t => (string?)t["state"] is not ("queued" or "running"),
            "the agent.run task to finish", describe: t => $"state {(string?)t["state"]}");

        Assert.Equal("succeeded", (string?)task["state"]);
        var result = task["result"]!;
        Assert.Equal("Hello from the scripted model.", (string?)result["answer"]);
        Assert.Equal(ScriptedLlmServer.PromptTokens + ScriptedLlmServer.CompletionTokens, (long)result["usage"]!["totalTokens"]!);

        // The conversation is the submitter's, readable like any other.
        var conversation = (await _dev.GetFromJsonAsync<JsonObject>($"/api/conversations/{(string)result["conversationId"]!}"))!;
        Assert.Equal("hello", (string?)conversation["turns"]![0]!["content"]);

        var refused = await _dev.PostAsJsonAsync("/api/agents", new
        {
            id = NewId(), name = "delegator", model = new { provider = HostedAgentsFixture.Provider }, tools = AgentRunTool,
        });
        await ProblemAssert.IsAsync(refused, HttpStatusCode.BadRequest, "agent.invalid_tool");
    }

    [Theory]
    [InlineData("dailyBudgetUsd", "0.00001")] // one turn costs (10 × 1 + 5 × 2) / 1e6 = 0.00002 USD at the fixture's prices
    [InlineData("dailyBudgetTokens", "10")] // one turn uses 10 + 5 tokens
    public async Task OverItsDailyBudget_AMessageIs429UntilMidnight_BeforeAnyProviderCall(string field, string budget)
    {
        var id = NewId();
        var body = JsonNode.Parse($$"""{"id":"{{id}}","name":"thrifty","model":{"provider":"{{HostedAgentsFixture.Provider}}","model":"plain"},"{{field}}":{{budget}}}""");
        Assert.Equal(HttpStatusCode.Created, (await _dev.PostAsJsonAsync("/api/agents", body)).StatusCode);
        var conversation = await StartAsync(_dev, id);
        await SendAsync(_dev, conversation, "first");
        var first = await EventsAsync(_dev, conversation);
        Assert.Equal("completed", (string?)first[^1].Data["state"]);
        // A turn is counted against the budget after it is stored (a crash under-counts rather than
        // charging a resumed turn twice), so "completed" can be seen a moment before the count.
        await Eventually.HoldsAsync(
            async () => (long)(await _dev.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/usage"))!["tokens"]!,
            tokens => tokens >= 15, "the first turn's tokens counted on the agent's day");

        var marker = "second " + Guid.NewGuid().ToString("N");
        var refused = await _dev.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { content = marker });
        await ProblemAssert.IsAsync(refused, HttpStatusCode.TooManyRequests, "budget.exceeded");
        var untilMidnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, untilMidnight - TimeSpan.FromMinutes(1), untilMidnight + TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(fixture.Llm.Requests, r => r.ToJsonString().Contains(marker, StringComparison.Ordinal));

        // What the turn used is counted by agent, provider and model.
        var metrics = await fixture.Api.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains($"orleansagents_conversations_agent_tokens{{agent=\"{id}\",kind=\"output\",model=\"plain\",provider=\"{HostedAgentsFixture.Provider}\"}} 5", metrics, StringComparison.Ordinal);
        var costLine = metrics.Split('\n').Single(l => l.StartsWith($"orleansagents_conversations_agent_cost_usd{{agent=\"{id}\",model=\"plain\",provider=\"{HostedAgentsFixture.Provider}\"}} ", StringComparison.Ordinal));
        Assert.Equal(0.00002, double.Parse(costLine[(costLine.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 9);

        // And stored: the agent's day and its owner's day, per model.
        var agentUsage = (await _dev.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/usage"))!;
        Assert.Equal(15, (long)agentUsage["tokens"]!);
        Assert.Equal("plain", (string?)agentUsage["models"]![0]!["model"]);
        var mine = (await _dev.GetFromJsonAsync<JsonObject>("/api/usage"))!;
        Assert.Equal(15, (long)mine["tokens"]!);
        Assert.Equal(0.00002m, (decimal)mine["costUsd"]!);
        // Another user's usage needs system:metrics (a developer has it; a guest does not).
        var owner = (string)mine["user"]!;
        Assert.Equal(15, (long)(await _dev.GetFromJsonAsync<JsonObject>($"/api/usage?user={owner}"))!["tokens"]!);
        var guest = fixture.Api.ClientFor("guest-" + Guid.NewGuid().ToString("N")[..8], Roles.Guest);
        await ProblemAssert.IsAsync(await guest.GetAsync($"/api/usage?user={owner}"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(0, (long)(await guest.GetFromJsonAsync<JsonObject>("/api/usage"))!["tokens"]!);
    }
}
