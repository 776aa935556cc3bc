using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class WorkflowsApiTests(ApiFactory factory)
{
    private static readonly string[] DraftOnly = ["draft"];

    private readonly HttpClient _http = factory.CreateClient();

    private static string NewId(string prefix = "wf") => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> RegisterAgentAsync(string capability)
    {
        var id = NewId("agent");
        var response = await _http.PostAsJsonAsync("/api/agents", new { id, name = "worker", capabilities = new[] { capability }, maxConcurrentTasks = 4 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static object Diamond(string id, string capability, string name = "Summarise the news", string goal = "Fetch articles, summarise them twice and merge") => new
    {
        id,
        name,
        goal,
        inputSchema = new { type = "object", properties = new { topic = new { type = "string" } }, required = new[] { "topic" } },
        steps = new object[]
        {
            new { id = "fetch", capability, skill = "echo", input = new { items = new[] { "{{ input.topic }}", "b" } } },
            new { id = "left", capability, skill = "echo", input = new { first = "{{ steps.fetch.output.items[0] }}" }, dependsOn = new[] { "fetch" } },
            new { id = "right", capability, skill = "echo", input = new { count = "{{ steps.fetch.output.items }}" }, dependsOn = new[] { "fetch" } },
            new { id = "merge", capability, skill = "echo", input = new { left = "{{ steps.left.output.first }}", right = "{{ steps.right.output.count }}" }, dependsOn = new[] { "left", "right" } },
            new { id = "publish", capability, skill = "echo", input = new { text = "{{ steps.merge.output.left }}" }, dependsOn = new[] { "merge" } },
        },
        output = new { published = "{{ steps.publish.output.text }}" },
    };

    private Task<JsonObject> PostAsync(string url, object? body = null, HttpStatusCode expected = HttpStatusCode.OK) =>
        PostAsync(_http, url, body, expected);

    private static async Task<JsonObject> PostAsync(HttpClient client, string url, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsJsonAsync(url, body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private Task<JsonObject> WaitRunAsync(string runId) =>
        Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>($"/api/runs/{runId}"))!,
            run => (string?)run["status"] is "succeeded" or "failed" or "cancelled",
            $"run {runId} to finish", describe: run => $"status {(string?)run["status"]}");

    [Fact]
    public async Task AWorkflow_GoesFromCreateToAProductionRun_OverHttp()
    {
        var capability = "wf-http-" + Guid.NewGuid().ToString("N")[..6];
        await RegisterAgentAsync(capability);
        var id = NewId();
        var created = await PostAsync("/api/workflows", Diamond(id, capability), HttpStatusCode.Created);
        Assert.Equal("created", (string?)created["status"]);
        Assert.Equal("{{ input.topic }}", (string?)created["definition"]!["steps"]![0]!["input"]!["items"]![0]);

        var early = await PostAsync($"/api/workflows/{id}/runs", new { mode = "production", input = new { topic = "x" } }, HttpStatusCode.Conflict);
        Assert.Equal("workflow.mode_not_allowed", (string?)early["code"]);
        Assert.Equal("validated", (string?)(await PostAsync($"/api/workflows/{id}/validate"))["status"]);
        Assert.Equal("staged", (string?)(await PostAsync($"/api/workflows/{id}/stage"))["status"]);
        Assert.Equal("active", (string?)(await PostAsync($"/api/workflows/{id}/activate"))["status"]);

        var badInput = await PostAsync($"/api/workflows/{id}/runs", new { mode = "production", input = new { topic = 5 } }, HttpStatusCode.BadRequest);
        Assert.Equal("workflow.input_rejected", (string?)badInput["code"]);
        Assert.Equal("input.topic", (string?)badInput["errors"]![0]!["path"]);

        var response = await _http.PostAsJsonAsync($"/api/workflows/{id}/runs", new { mode = "production", input = new { topic = "orleans" } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;
        Assert.Equal($"/api/runs/{runId}", response.Headers.Location?.OriginalString);

        var done = await WaitRunAsync(runId);
        Assert.Equal("succeeded", (string?)done["status"]);
        Assert.Equal("orleans", (string?)done["output"]!["published"]);
        Assert.Equal(5, done["steps"]!.AsArray().Count);
        Assert.All(done["steps"]!.AsArray(), s => Assert.NotNull(s!["durationSeconds"]));

        var runs = (await _http.GetFromJsonAsync<JsonObject>($"/api/workflows/{id}/runs?status=succeeded"))!;
        Assert.Equal(runId, (string?)runs["items"]![0]!["runId"]);

        using var events = await _http.GetAsync($"/api/runs/{runId}/events");
        var stream = await events.Content.ReadAsStringAsync();
        Assert.Contains("event: step", stream, StringComparison.Ordinal);
        Assert.Contains("\"runStatus\":\"succeeded\"", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACyclicDefinition_IsA400WithEveryFinding_AndNothingIsStored()
    {
        var id = NewId();
        var body = new
        {
            id,
            name = "Cyclic",
            steps = new object[]
            {
                new { id = "a", capability = "x", skill = "echo", dependsOn = new[] { "b" } },
                new { id = "b", capability = "x", skill = "echo", dependsOn = new[] { "a" }, input = new { v = "{{ steps.zzz.output }}" } },
            },
        };
        var problem = await PostAsync("/api/workflows", body, HttpStatusCode.BadRequest);
        Assert.Equal("workflow.invalid", (string?)problem["code"]);
        var codes = problem["errors"]!.AsArray().Select(e => (string?)e!["code"]).ToList();
        Assert.Contains("workflow.cycle", codes);
        Assert.Contains("workflow.unknown_reference", codes);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/workflows/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("/api/workflows/Bad_Id", "workflow.invalid_id")]
    [InlineData("/api/runs/not-a-run", "workflow.run_invalid_id")]
    [InlineData("/api/workflows?status=sleeping", "request.invalid_query")]
    [InlineData("/api/workflows?limit=0", "request.invalid_limit")]
    [InlineData("/api/workflows/nope-404", "workflow.not_found")]
    [InlineData("/api/runs/r_aaaaaaaaaaaaaaaaaaaaaaaaaa", "workflow.run_not_found")]
    public async Task BadReads_AreProblemsWithCodes(string url, string code)
    {
        var response = await _http.GetAsync(url);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{url}: {(int)response.StatusCode}");
        Assert.Equal(code, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["code"]);
    }

    [Fact]
    public async Task ApprovingAStepThatIsNotWaiting_Is409_AndTheRunIsUnchanged()
    {
        var capability = "wf-approve-" + Guid.NewGuid().ToString("N")[..6];
        await RegisterAgentAsync(capability);
        var id = NewId();
        await PostAsync("/api/workflows", new
        {
            id,
            name = "Approve me",
            steps = new object[]
            {
                new { id = "draft", capability, skill = "echo", input = new { v = 1 } },
                new { id = "ship", capability, skill = "echo", input = new { v = 2 }, dependsOn = DraftOnly, requiresApproval = true },
            },
        }, HttpStatusCode.Created);
        await PostAsync($"/api/workflows/{id}/validate");
        var run = await PostAsync($"/api/workflows/{id}/runs", new { mode = "test" }, HttpStatusCode.Accepted);
        var runId = (string)run["runId"]!;
        await Eventually.HoldsAsync(
            async () => (string?)(await _http.GetFromJsonAsync<JsonObject>($"/api/runs/{runId}"))!["status"] == "waiting",
            "the run to wait at the approval gate");

        // The admin started the run, so an operator decides its gate (no self-approval).
        var approver = factory.ClientFor("approver-" + Guid.NewGuid().ToString("N")[..6], OrleansAgents.Security.Roles.Operator);
        var notWaiting = await PostAsync(approver, $"/api/runs/{runId}/steps/draft/approve", null, HttpStatusCode.Conflict);
        Assert.Equal("workflow.step_not_waiting", (string?)notWaiting["code"]);
        Assert.Equal("waiting", (string?)(await _http.GetFromJsonAsync<JsonObject>($"/api/runs/{runId}"))!["status"]);

        var approved = await PostAsync(approver, $"/api/runs/{runId}/steps/ship/approve", new { comment = "go" });
        Assert.Equal("go", (string?)approved["steps"]![1]!["comment"]);
        Assert.Equal("succeeded", (string?)(await WaitRunAsync(runId))["status"]);

        var audit = (await _http.GetFromJsonAsync<JsonObject>("/api/audit?action=workflow.step_approved"))!;
        Assert.Contains(audit["items"]!.AsArray(), e => (string?)e!["target"] == $"{runId}/ship");
    }

    [Fact]
    public async Task Search_FindsByText_FiltersByStatus_AndStatisticsCountRuns()
    {
        var capability = "wf-search-" + Guid.NewGuid().ToString("N")[..6];
        await RegisterAgentAsync(capability);
        var word = "zebra" + Guid.NewGuid().ToString("N")[..6];
        var named = NewId();
        var goaled = NewId();
        await PostAsync("/api/workflows", Diamond(named, capability, name: $"Report on {word}", goal: "daily"), HttpStatusCode.Created);
        await PostAsync("/api/workflows", Diamond(goaled, capability, name: "Other", goal: $"mentions {word} in the goal"), HttpStatusCode.Created);
        await PostAsync($"/api/workflows/{named}/validate");

        var found = (await _http.GetFromJsonAsync<JsonObject>($"/api/workflows?q={word}"))!;
        Assert.Equal([named, goaled], found["items"]!.AsArray().Select(i => (string?)i!["id"]));
        var validated = (await _http.GetFromJsonAsync<JsonObject>($"/api/workflows?q={word}&status=validated"))!;
        Assert.Equal([named], validated["items"]!.AsArray().Select(i => (string?)i!["id"]));

        var run = await PostAsync($"/api/workflows/{named}/runs", new { mode = "test", input = new { topic = "t" } }, HttpStatusCode.Accepted);
        await WaitRunAsync((string)run["runId"]!);
        var statistics = (await _http.GetFromJsonAsync<JsonObject>("/api/workflows/statistics"))!;
        Assert.True((double)statistics["successRate"]! > 0);
        Assert.Contains(statistics["runs"]!.AsArray(), r => (string?)r!["mode"] == "test" && (string?)r["status"] == "succeeded");
        Assert.True((long)statistics["workflowsByStatus"]!["validated"]! >= 1);
    }

    [Fact]
    public async Task Delete_RemovesAWorkflowWithoutUnfinishedRuns()
    {
        var capability = "wf-delete-" + Guid.NewGuid().ToString("N")[..6];
        await RegisterAgentAsync(capability);
        var id = NewId();
        await PostAsync("/api/workflows", Diamond(id, capability), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/api/workflows/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/workflows/{id}")).StatusCode);
        var found = (await _http.GetFromJsonAsync<JsonObject>($"/api/workflows?createdBy=admin&limit=200"))!;
        Assert.DoesNotContain(found["items"]!.AsArray(), i => (string?)i!["id"] == id);
    }

    [Fact]
    public async Task MalformedBodies_AreProblems()
    {
        using var notJson = new StringContent("{nope", Encoding.UTF8, "application/json");
        var response = await _http.PostAsync("/api/workflows", notJson);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var unknownField = await PostAsync("/api/workflows", new { id = NewId(), name = "x", stepz = 1 }, HttpStatusCode.BadRequest);
        Assert.Equal("request.unknown_field", (string?)unknownField["code"]);
        var noMode = await PostAsync($"/api/workflows/{NewId()}/runs", new { input = new { } }, HttpStatusCode.BadRequest);
        Assert.Equal("request.invalid", (string?)noMode["code"]);
    }
}
