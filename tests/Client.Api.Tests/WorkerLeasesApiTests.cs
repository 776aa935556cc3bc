using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

/// <summary>The external-worker protocol over HTTP against the embedded cluster (real time, real routing).</summary>
[Collection(ApiTestGroup.Name)]
public sealed class WorkerLeasesApiTests(ApiFactory factory)
{
    private static readonly string[] Work = ["work"];
    private static readonly string[] Echo = ["echo"];
    private static readonly string[] BadSkill = ["NOT A SKILL"];

    private readonly HttpClient _http = factory.CreateClient();

    private async Task<string> RegisterExternalAsync()
    {
        var id = "ext-" + Guid.NewGuid().ToString("N")[..12];
        var response = await _http.PostAsJsonAsync("/api/agents", new { id, name = "worker", capabilities = Work, maxConcurrentTasks = 64, kind = "external" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private async Task<string> SubmitAsync(string agent, object input)
    {
        var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private async Task<JsonArray> LeaseAsync(string agent, object body)
    {
        var response = await _http.PostAsJsonAsync($"/api/agents/{agent}/leases", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (JsonArray)(await response.Content.ReadFromJsonAsync<JsonObject>())!["tasks"]!;
    }

    [Fact]
    public async Task LeaseCompleteAndProgress_RunATaskThroughAWorker_AndProgressIsInTheEvents()
    {
        var agent = await RegisterExternalAsync();
        // The long-poll is waiting before the task exists: the submission wakes it.
        var polling = LeaseAsync(agent, new { max = 5, waitSeconds = 20, skills = Echo });
        var id = await SubmitAsync(agent, new { text = "hi" });
        var leased = Assert.Single(await polling)!;
        Assert.Equal(id, (string?)leased["taskId"]);
        Assert.Equal("echo", (string?)leased["skill"]);
        Assert.Equal("hi", (string?)leased["input"]!["text"]);
        Assert.Equal(1, (int)leased["attempt"]!);
        var token = (string)leased["leaseToken"]!;

        var renew = await _http.PostAsJsonAsync($"/api/tasks/{id}/lease:renew", new { leaseToken = token, leaseSeconds = 60 });
        Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        var progress = await _http.PostAsJsonAsync($"/api/tasks/{id}/progress", new { leaseToken = token, message = "half way", percent = 50 });
        Assert.Equal(HttpStatusCode.OK, progress.StatusCode);
        var complete = await _http.PostAsJsonAsync($"/api/tasks/{id}/complete", new { leaseToken = token, result = new { echoed = "hi" } });
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var done = (await complete.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("succeeded", (string?)done["state"]);
        Assert.Equal("hi", (string?)done["result"]!["echoed"]);

        var events = await _http.GetStringAsync($"/api/tasks/{id}/events");
        Assert.Contains("event: progress", events, StringComparison.Ordinal);
        Assert.Contains("half way", events, StringComparison.Ordinal);

        // A second complete with the same token: the attempt is over.
        await ProblemAssert.IsAsync(
            await _http.PostAsJsonAsync($"/api/tasks/{id}/complete", new { leaseToken = token, result = 1 }), HttpStatusCode.Conflict, "task.lease_lost");
        // The lease call was the agent's heartbeat.
        Assert.NotEqual("unhealthy", (string?)(await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}"))!["status"]);
    }

    [Fact]
    public async Task ExpiredLease_RunsTheTaskAgainForAnotherWorker_AndTheStaleCompleteIs409()
    {
        var agent = await RegisterExternalAsync();
        var id = await SubmitAsync(agent, 7);
        var first = Assert.Single(await LeaseAsync(agent, new { max = 1, leaseSeconds = 1 }))!;

        // The slow worker never renews; the next worker's long-poll gets the task once the lease expires.
        var second = Assert.Single(await LeaseAsync(agent, new { max = 1, waitSeconds = 20 }))!;
        Assert.Equal(id, (string?)second["taskId"]);
        Assert.Equal(2, (int)second["attempt"]!);

        await ProblemAssert.IsAsync(
            await _http.PostAsJsonAsync($"/api/tasks/{id}/complete", new { leaseToken = (string)first["leaseToken"]!, result = "late" }),
            HttpStatusCode.Conflict, "task.lease_lost");
        var complete = await _http.PostAsJsonAsync($"/api/tasks/{id}/complete", new { leaseToken = (string)second["leaseToken"]!, result = "second" });
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var task = (await _http.GetFromJsonAsync<JsonObject>($"/api/tasks/{id}"))!;
        Assert.Equal("second", (string?)task["result"]);
        Assert.Equal("lost", (string?)task["attempts"]![0]!["outcome"]);
    }

    [Fact]
    public async Task Cancel_AnswersTheWorkersNextRenewWith409Cancelled()
    {
        var agent = await RegisterExternalAsync();
        var id = await SubmitAsync(agent, 1);
        var lease = Assert.Single(await LeaseAsync(agent, new { max = 1 }))!;
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/api/tasks/{id}/cancel", null)).StatusCode);

        await ProblemAssert.IsAsync(
            await _http.PostAsJsonAsync($"/api/tasks/{id}/lease:renew", new { leaseToken = (string)lease["leaseToken"]! }),
            HttpStatusCode.Conflict, "task.cancelled");
    }

    [Fact]
    public async Task BadRequests_Are400_AndHostedAgents409_AndReadersCannotLease()
    {
        var agent = await RegisterExternalAsync();
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/agents/{agent}/leases", new { max = 0 }), HttpStatusCode.BadRequest, "lease.invalid_request");
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/agents/{agent}/leases", new { waitSeconds = 31 }), HttpStatusCode.BadRequest, "lease.invalid_request");
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/agents/{agent}/leases", new { skills = BadSkill }), HttpStatusCode.BadRequest, "lease.invalid_request");
        var id = await SubmitAsync(agent, 1);
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/tasks/{id}/complete", new { result = 1 }), HttpStatusCode.BadRequest, "lease.invalid_request");
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/tasks/{id}/fail", new { leaseToken = "x", code = "Bad Code", message = "m" }), HttpStatusCode.BadRequest, "lease.invalid_request");
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/tasks/{id}/complete", new { leaseToken = "1.forged", result = 1 }), HttpStatusCode.Conflict, "task.lease_lost");

        var hosted = "hosted-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/agents", new { id = hosted, name = "h", capabilities = Work })).StatusCode);
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync($"/api/agents/{hosted}/leases", new { max = 1 }), HttpStatusCode.Conflict, "agent.not_external");

        using var viewer = factory.ClientFor("viewer-" + Guid.NewGuid().ToString("N")[..8], OrleansAgents.Security.Roles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/agents/{agent}/leases", new { max = 1 })).StatusCode);

        // Another developer may lease work, but not of an agent someone else registered.
        using var stranger = factory.ClientFor("dev-" + Guid.NewGuid().ToString("N")[..8], OrleansAgents.Security.Roles.Developer);
        await ProblemAssert.IsAsync(await stranger.PostAsJsonAsync($"/api/agents/{agent}/leases", new { max = 1 }), HttpStatusCode.Forbidden, "auth.forbidden");
    }
}
