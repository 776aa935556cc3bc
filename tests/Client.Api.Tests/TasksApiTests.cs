using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class TasksApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private static string NewId() => "tasks-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> RegisterAsync(string capability = "work", int maxConcurrentTasks = 2)
    {
        var id = NewId();
        var response = await _http.PostAsJsonAsync("/api/agents", new { id, name = "worker", capabilities = new[] { capability }, maxConcurrentTasks });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private Task<JsonObject> WaitFinishedAsync(string taskId) =>
        Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>($"/api/tasks/{taskId}"))!,
            task => (string?)task["state"] is "succeeded" or "failed" or "cancelled" or "dead-lettered",
            $"task {taskId} to finish", describe: task => $"state {(string?)task["state"]}");

    [Fact]
    public async Task SubmitToAgent_Returns202WithLocation_AndTheResultArrives()
    {
        var agent = await RegisterAsync();
        var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks",
            new { skill = "echo", input = new { question = "ping" }, priority = "high", timeoutSeconds = 30, maxAttempts = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)accepted["id"]!;
        Assert.Equal($"/api/tasks/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", (string?)accepted["state"]);
        Assert.Equal("high", (string?)accepted["priority"]);
        Assert.Equal(30, (double)accepted["timeoutSeconds"]!);

        var done = await WaitFinishedAsync(id);
        Assert.Equal("succeeded", (string?)done["state"]);
        Assert.Equal("ping", (string?)done["result"]!["question"]);
        Assert.Equal("succeeded", (string?)done["attempts"]![0]!["outcome"]);

        var list = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/tasks?state=succeeded"))!;
        Assert.Equal(id, (string?)list["items"]![0]!["id"]);
    }

    [Fact]
    public async Task Throughput_CountsFinishedTasksAcrossTheCluster()
    {
        var agent = await RegisterAsync(maxConcurrentTasks: 4);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = new { n = i } });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        }

        foreach (var id in ids)
        {
            Assert.Equal("succeeded", (string?)(await WaitFinishedAsync(id))["state"]);
        }

        // Silos report their totals every 5 s; the rate covers the last minute.
        var view = await Eventually.HoldsAsync(
            async () => (await _http.GetFromJsonAsync<JsonObject>("/api/tasks/throughput"))!,
            v => (double)v["finishedPerSecond"]! > 0 && (int)v["silos"]! >= 1,
            "finished tasks in the cluster's throughput", describe: v => v.ToJsonString());
        Assert.True((double)view["succeededPerSecond"]! <= (double)view["finishedPerSecond"]!);
        Assert.InRange((double)view["windowSeconds"]!, 0.1, 65);
    }

    [Fact]
    public async Task SubmitByCapability_RoutesToAnAgentWithIt()
    {
        var capability = "cap-" + Guid.NewGuid().ToString("N")[..8];
        var agent = await RegisterAsync(capability);
        var response = await _http.PostAsJsonAsync("/api/tasks", new { capability, skill = "echo", input = 1 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var task = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(agent, (string?)task["agentId"]);

        var none = await _http.PostAsJsonAsync("/api/tasks", new { capability = "nobody-has-this", skill = "echo", input = 1 });
        await ProblemAssert.IsAsync(none, HttpStatusCode.ServiceUnavailable, "task.no_agent_available");
        Assert.NotNull(none.Headers.RetryAfter);
    }

    [Fact]
    public async Task IdempotencyKey_RepeatReturnsTheFirstTask_AndADifferentBodyConflicts()
    {
        var agent = await RegisterAsync();
        var key = "k-" + Guid.NewGuid();
        async Task<HttpResponseMessage> Post(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/agents/{agent}/tasks") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await _http.SendAsync(request);
        }

        var first = await Post(new { skill = "echo", input = "a" });
        var again = await Post(new { skill = "echo", input = "a" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var firstId = (string?)(await first.Content.ReadFromJsonAsync<JsonObject>())!["id"];
        Assert.Equal(firstId, (string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["id"]);
        Assert.Equal(key, (string?)(await WaitFinishedAsync(firstId!))["idempotencyKey"]);

        await ProblemAssert.IsAsync(await Post(new { skill = "echo", input = "b" }), HttpStatusCode.Conflict, "task.idempotency_conflict");
    }

    [Fact]
    public async Task BadRequests_GetProblemsWithCodes()
    {
        var agent = await RegisterAsync();
        var url = $"/api/agents/{agent}/tasks";
        async Task Expect(object body, HttpStatusCode status, string code)
        {
            var response = await _http.PostAsJsonAsync(url, body);
            Assert.True(response.StatusCode == status, $"{code}: got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await ProblemAssert.IsAsync(response, status, code);
        }

        await Expect(new { skill = "no.such", input = 1 }, HttpStatusCode.BadRequest, "task.unknown_skill");
        await Expect(new { input = 1 }, HttpStatusCode.BadRequest, "task.unknown_skill");
        await Expect(new { skill = "echo" }, HttpStatusCode.BadRequest, "task.invalid_input");
        await Expect(new { skill = "echo", input = new { delayMs = "soon" } }, HttpStatusCode.BadRequest, "task.invalid_input");
        await Expect(new { skill = "echo", input = 1, timeoutSeconds = -5 }, HttpStatusCode.BadRequest, "task.invalid_timeout");
        await Expect(new { skill = "echo", input = 1, timeoutSeconds = 1e12 }, HttpStatusCode.BadRequest, "task.invalid_timeout");
        await Expect(new { skill = "echo", input = 1, timeoutSeconds = 10, hardTimeoutSeconds = 5 }, HttpStatusCode.BadRequest, "task.invalid_timeout");
        await Expect(new { skill = "echo", input = 1, maxAttempts = 0 }, HttpStatusCode.BadRequest, "task.invalid_max_attempts");
        await Expect(new { skill = "echo", input = 1, priority = "urgent" }, HttpStatusCode.BadRequest, "request.wrong_type");
        await Expect(new { skill = "echo", input = 1, capability = "x" }, HttpStatusCode.BadRequest, "task.invalid_target");
        await Expect(new { skill = "echo", input = 1, colour = "red" }, HttpStatusCode.BadRequest, "request.unknown_field");
        await Expect(new { skill = "echo", input = new { text = new string('x', 70_000) } }, HttpStatusCode.RequestEntityTooLarge, "task.input_too_large");

        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/agents/{NewId()}/tasks", new { skill = "echo", input = 1 }),
            HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync("/api/tasks", new { skill = "echo", input = 1 }),
            HttpStatusCode.BadRequest, "task.invalid_target");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/tasks/not-a-task"), HttpStatusCode.BadRequest, "task.invalid_id");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/tasks/" + TaskRules.NewId()), HttpStatusCode.NotFound, "task.not_found");
        await ProblemAssert.IsAsync(await _http.PostAsync($"/api/tasks/{TaskRules.NewId()}/cancel", null), HttpStatusCode.NotFound, "task.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{agent}/tasks?state=done"), HttpStatusCode.BadRequest, "task.invalid_state");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{agent}/tasks?limit=0"), HttpStatusCode.BadRequest, "request.invalid_limit");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{agent}/tasks?cursor=zzz"), HttpStatusCode.BadRequest, "request.invalid_cursor");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{NewId()}/tasks"), HttpStatusCode.NotFound, "agent.not_found");

        // Nothing was enqueued by any of the rejected requests.
        var list = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/tasks"))!;
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task CancelAndRequeue_WorkThroughTheApi()
    {
        var agent = await RegisterAsync(maxConcurrentTasks: 1);
        var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = new { delayMs = 60_000 } });
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var cancelled = (await (await _http.PostAsync($"/api/tasks/{id}/cancel", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("cancelled", (string?)cancelled["state"]);

        var requeue = await _http.PostAsync($"/api/tasks/{id}/requeue", null);
        Assert.Equal(HttpStatusCode.OK, requeue.StatusCode);
        Assert.Equal("queued", (string?)(await requeue.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
        await _http.PostAsync($"/api/tasks/{id}/cancel", null);

        var succeeded = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = 1 });
        var doneId = (string)(await succeeded.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await WaitFinishedAsync(doneId);
        await ProblemAssert.IsAsync(await _http.PostAsync($"/api/tasks/{doneId}/requeue", null), HttpStatusCode.Conflict, "task.not_requeueable");

        var letters = await _http.GetAsync("/api/tasks/dead-letters?limit=5");
        Assert.Equal(HttpStatusCode.OK, letters.StatusCode);
    }

    [Fact]
    public async Task Events_StreamStateChangesAttemptsAndTheResult_AsServerSentEvents()
    {
        var agent = await RegisterAsync();
        var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = new { delayMs = 300, note = "slow" } });
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        using var stream = await _http.GetAsync($"/api/tasks/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var body = await stream.Content.ReadAsStringAsync(); // the server ends the stream when the task finishes

        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        Assert.Equal("state", events[0]["event"]);
        Assert.Contains(events, e => e["event"] == "attempt");
        var last = events[^1];
        Assert.Equal("result", last["event"]);
        Assert.Equal("slow", (string?)JsonNode.Parse(last["data"])!["result"]!["note"]);
        Assert.Equal(events.Select((_, i) => (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e["id"]));

        // Resuming after the last event id returns nothing more for a finished task.
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/tasks/{id}/events");
        resume.Headers.Add("Last-Event-ID", last["id"]);
        var rest = await (await _http.SendAsync(resume)).Content.ReadAsStringAsync();
        Assert.Equal("", rest.Trim());
    }

    [Fact]
    public async Task Jobs_AreListed_AndRunOnDemand()
    {
        var jobs = (await _http.GetFromJsonAsync<JsonArray>("/api/jobs"))!;
        Assert.Equal(["agents.health-sweep", "trust.recompute"], jobs.Select(j => (string?)j!["name"]));
        Assert.All(jobs, j => Assert.True((bool)j!["enabled"]!));

        var run = (await (await _http.PostAsync("/api/jobs/agents.health-sweep/run", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("succeeded", (string?)run["lastOutcome"]);
        Assert.True((long)run["runs"]! >= 1);
        var trust = (await (await _http.PostAsync("/api/jobs/trust.recompute/run", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("succeeded", (string?)trust["lastOutcome"]);
        Assert.Contains("Trust 'default'", (string?)trust["lastMessage"], StringComparison.Ordinal);

        await ProblemAssert.IsAsync(await _http.PostAsync("/api/jobs/no-such-job/run", null), HttpStatusCode.NotFound, "job.not_found");
    }

    [Fact]
    public async Task Skills_AreListedWithSchemas()
    {
        var skills = (await _http.GetFromJsonAsync<JsonArray>("/api/skills"))!;
        var echo = skills.Single(s => (string?)s!["name"] == "echo")!;
        Assert.Equal("*", (string?)echo["capabilities"]![0]);
        Assert.NotNull(echo["inputSchema"]);
    }

    [Fact]
    public async Task TaskMetrics_AppearOnMetrics()
    {
        var agent = await RegisterAsync();
        var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = 1 });
        await WaitFinishedAsync((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        await factory.ManagementClient().GetStringAsync("/metrics"); // the exporter may start listening at the first scrape
        response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = 2 });
        await WaitFinishedAsync((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");
        Assert.Contains("orleansagents_tasks_entered{state=\"succeeded\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_tasks_duration_seconds_bucket{outcome=\"succeeded\",skill=\"echo\"", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_tasks_queue_depth{priority=\"high\"}", metrics, StringComparison.Ordinal);
    }
}
