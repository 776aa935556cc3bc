using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

/// <summary>API keys created with <c>agents</c>: they lease and report only those agents' tasks (docs/security.md, "Worker keys").</summary>
[Collection(ApiTestGroup.Name)]
public sealed class WorkerKeysTests(ApiFactory factory)
{
    private static readonly string[] Work = ["work"];
    private static readonly string[] MalformedAgents = ["Not An Id"];
    private static readonly string[] TooManyAgents = [.. Enumerable.Range(0, 17).Select(i => $"a{i}")];

    private readonly HttpClient _admin = factory.CreateClient();

    private async Task<string> RegisterExternalAsync()
    {
        var id = "ext-" + Guid.NewGuid().ToString("N")[..12];
        var response = await _admin.PostAsJsonAsync("/api/agents", new { id, name = "worker", capabilities = Work, kind = "external" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private async Task<string> SubmitAsync(string agent)
    {
        var response = await _admin.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = 1 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private static async Task<JsonObject> LeaseOneAsync(HttpClient client, string agent)
    {
        var response = await client.PostAsJsonAsync($"/api/agents/{agent}/leases", new { max = 1, waitSeconds = 10 });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return Assert.Single((JsonArray)(await response.Content.ReadFromJsonAsync<JsonObject>())!["tasks"]!)!.AsObject();
    }

    [Fact]
    public async Task WorkerKey_LeasesAndReportsItsAgentsTasks_AndIsRefusedOnAnotherAgent()
    {
        var mine = await RegisterExternalAsync();
        var other = await RegisterExternalAsync();
        var created = await _admin.PostAsJsonAsync("/api/api-keys", new { name = "worker-pool", agents = new[] { mine } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(mine, (string?)body["view"]!["agents"]![0]);
        Assert.Empty(body["view"]!["roles"]!.AsArray());
        using var worker = factory.AnonymousClient();
        worker.DefaultRequestHeaders.Add("X-Api-Key", (string)body["key"]!);

        // Its own agent: lease, progress, complete, heartbeat.
        var task = await SubmitAsync(mine);
        var lease = await LeaseOneAsync(worker, mine);
        Assert.Equal(task, (string?)lease["taskId"]);
        var token = (string)lease["leaseToken"]!;
        Assert.Equal(HttpStatusCode.OK, (await worker.PostAsJsonAsync($"/api/tasks/{task}/progress", new { leaseToken = token, message = "working" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await worker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { leaseToken = token, result = "done" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await worker.PostAsJsonAsync($"/api/agents/{mine}/heartbeat", new { activeTasks = 0 })).StatusCode);

        // Another agent: its leases, heartbeat and tasks are out of the key's scope, even with a valid lease token.
        await ProblemAssert.IsAsync(await worker.PostAsJsonAsync($"/api/agents/{other}/leases", new { max = 1 }), HttpStatusCode.Forbidden, "auth.agent_out_of_scope");
        await ProblemAssert.IsAsync(await worker.PostAsJsonAsync($"/api/agents/{other}/heartbeat", new { activeTasks = 0 }), HttpStatusCode.Forbidden, "auth.agent_out_of_scope");
        var foreign = await SubmitAsync(other);
        var foreignToken = (string)(await LeaseOneAsync(_admin, other))["leaseToken"]!;
        var reports = new Dictionary<string, object>
        {
            ["complete"] = new { leaseToken = foreignToken, result = "stolen" },
            ["fail"] = new { leaseToken = foreignToken, code = "x", message = "m" },
            ["progress"] = new { leaseToken = foreignToken, message = "m" },
            ["lease:renew"] = new { leaseToken = foreignToken },
        };
        foreach (var (action, report) in reports)
        {
            await ProblemAssert.IsAsync(await worker.PostAsJsonAsync($"/api/tasks/{foreign}/{action}", report), HttpStatusCode.Forbidden, "auth.agent_out_of_scope");
        }

        Assert.Equal("running", (string?)(await _admin.GetFromJsonAsync<JsonObject>($"/api/tasks/{foreign}"))!["state"]);

        // Nothing else: with no roles the key reads no agents and submits no tasks.
        await ProblemAssert.IsAsync(await worker.GetAsync("/api/agents?limit=1"), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsAsync(await worker.PostAsJsonAsync($"/api/agents/{mine}/tasks", new { skill = "echo", input = 1 }), HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task CreateWorkerKey_WithUnknownOrMalformedAgents_Is400()
    {
        var agent = await RegisterExternalAsync();
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/api-keys", new { name = "w", agents = new[] { "no-such-agent-" + Guid.NewGuid().ToString("N")[..8] } }),
            HttpStatusCode.BadRequest, "apikey.invalid_agents");
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/api-keys", new { name = "w", agents = Array.Empty<string>() }), HttpStatusCode.BadRequest, "apikey.invalid_agents");
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/api-keys", new { name = "w", agents = new[] { agent, agent } }), HttpStatusCode.BadRequest, "apikey.invalid_agents");
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/api-keys", new { name = "w", agents = MalformedAgents }), HttpStatusCode.BadRequest, "apikey.invalid_agents");
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/api-keys", new { name = "w", agents = TooManyAgents }), HttpStatusCode.BadRequest, "apikey.invalid_agents");
        // A key without agents still needs a role.
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/api-keys", new { name = "w" }), HttpStatusCode.BadRequest, "apikey.invalid_role");
    }
}
