using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>
/// Issue 17, broken object-level authorization: who, what request, expected code. Alice (developer)
/// owns a task, a run, an optimisation, a consensus round and an agent; Mallory (developer), Gus
/// (guest) and Olga (operator, holds the "any" permissions) try them.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ObjectOwnershipTests(ApiFactory factory)
{
    private static readonly string[] X = ["x"];

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private readonly string _alice = NewId("alice");

    private HttpClient Alice => factory.ClientFor(_alice, Roles.Developer);

    private HttpClient Mallory => factory.ClientFor(NewId("mallory"), Roles.Developer);

    private HttpClient Guest => factory.ClientFor(NewId("gus"), Roles.Guest);

    private HttpClient Operator => factory.ClientFor(NewId("olga"), Roles.Operator);

    private static async Task<JsonObject> CreatedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<(string Agent, string Capability)> AliceAgentAsync()
    {
        var capability = NewId("own");
        var agent = NewId("own-agent");
        await CreatedAsync(await Alice.PostAsJsonAsync("/api/agents", new { id = agent, name = "alice's", capabilities = new[] { capability }, maxConcurrentTasks = 2 }));
        return (agent, capability);
    }

    private static void Expect(List<string> failures, string who, string what, HttpStatusCode expected, HttpResponseMessage response)
    {
        if (response.StatusCode != expected)
        {
            failures.Add($"{who} {what}: expected {(int)expected}, got {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Tasks_OthersCannotReadListCancelOrRequeue_OperatorsCan()
    {
        var (agent, _) = await AliceAgentAsync();
        var task = await CreatedAsync(await Alice.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = new { secret = "alice-only" } }));
        var id = (string)task["id"]!;
        var failures = new List<string>();

        Expect(failures, "guest", "GET task", HttpStatusCode.NotFound, await Guest.GetAsync($"/api/tasks/{id}"));
        Expect(failures, "mallory", "GET task", HttpStatusCode.NotFound, await Mallory.GetAsync($"/api/tasks/{id}"));
        Expect(failures, "mallory", "GET task events", HttpStatusCode.NotFound, await Mallory.GetAsync($"/api/tasks/{id}/events", HttpCompletionOption.ResponseHeadersRead));
        Expect(failures, "mallory", "POST cancel", HttpStatusCode.NotFound, await Mallory.PostAsync($"/api/tasks/{id}/cancel", null));
        Expect(failures, "mallory", "POST requeue", HttpStatusCode.NotFound, await Mallory.PostAsync($"/api/tasks/{id}/requeue", null));
        Expect(failures, "alice", "GET task", HttpStatusCode.OK, await Alice.GetAsync($"/api/tasks/{id}"));
        Expect(failures, "operator", "GET task", HttpStatusCode.OK, await Operator.GetAsync($"/api/tasks/{id}"));
        Expect(failures, "admin", "GET task", HttpStatusCode.OK, await factory.CreateClient().GetAsync($"/api/tasks/{id}"));

        var guestList = await Guest.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/tasks");
        if (guestList!["items"]!.AsArray().Count != 0)
        {
            failures.Add("guest GET agent tasks: saw alice's task");
        }

        var aliceList = await Alice.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/tasks");
        if (aliceList!["items"]!.AsArray().All(t => (string?)t!["id"] != id))
        {
            failures.Add("alice GET agent tasks: her own task is missing");
        }

        var operatorList = await Operator.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}/tasks");
        if (operatorList!["items"]!.AsArray().All(t => (string?)t!["id"] != id))
        {
            failures.Add("operator GET agent tasks: task:read-any does not show it");
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task WorkflowRuns_OthersCannotReadOrCancel()
    {
        var (_, capability) = await AliceAgentAsync();
        var workflow = NewId("own-wf");
        await CreatedAsync(await Alice.PostAsJsonAsync("/api/workflows", new
        {
            id = workflow,
            name = "alice's",
            steps = new object[] { new { id = "one", capability, skill = "echo", input = new { v = 1 } } },
        }));
        await CreatedAsync(await Alice.PostAsJsonAsync($"/api/workflows/{workflow}/validate", new { }));
        var run = (string)(await CreatedAsync(await Alice.PostAsJsonAsync($"/api/workflows/{workflow}/runs", new { mode = "test" })))["runId"]!;
        var failures = new List<string>();

        Expect(failures, "mallory", "GET run", HttpStatusCode.NotFound, await Mallory.GetAsync($"/api/runs/{run}"));
        Expect(failures, "mallory", "GET run events", HttpStatusCode.NotFound, await Mallory.GetAsync($"/api/runs/{run}/events", HttpCompletionOption.ResponseHeadersRead));
        Expect(failures, "mallory", "POST cancel run", HttpStatusCode.NotFound, await Mallory.PostAsync($"/api/runs/{run}/cancel", null));
        Expect(failures, "alice", "GET run", HttpStatusCode.OK, await Alice.GetAsync($"/api/runs/{run}"));
        Expect(failures, "operator", "GET run", HttpStatusCode.OK, await Operator.GetAsync($"/api/runs/{run}"));
        var malloryRuns = await Mallory.GetFromJsonAsync<JsonObject>($"/api/workflows/{workflow}/runs");
        if (malloryRuns!["items"]!.AsArray().Count != 0)
        {
            failures.Add("mallory GET workflow runs: saw alice's run");
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task OptimizationsAndConsensusRounds_OthersCannotReadOrCancel()
    {
        var (_, capability) = await AliceAgentAsync();
        var optimization = (string)(await CreatedAsync(await Alice.PostAsJsonAsync("/api/swarms/optimizations",
            new { function = "sphere", dimensions = 2, iterations = 100_000, seed = 1 })))["id"]!;
        var round = (string)(await CreatedAsync(await Alice.PostAsJsonAsync("/api/swarms/consensus",
            new { capability, skill = "echo", input = "x", agents = 1 })))["id"]!;
        var failures = new List<string>();

        Expect(failures, "mallory", "GET optimisation", HttpStatusCode.NotFound, await Mallory.GetAsync($"/api/swarms/optimizations/{optimization}"));
        Expect(failures, "mallory", "POST cancel optimisation", HttpStatusCode.NotFound, await Mallory.PostAsync($"/api/swarms/optimizations/{optimization}/cancel", null));
        Expect(failures, "mallory", "GET consensus round", HttpStatusCode.NotFound, await Mallory.GetAsync($"/api/swarms/consensus/{round}"));
        Expect(failures, "operator", "GET optimisation", HttpStatusCode.OK, await Operator.GetAsync($"/api/swarms/optimizations/{optimization}"));
        Expect(failures, "operator", "GET consensus round", HttpStatusCode.OK, await Operator.GetAsync($"/api/swarms/consensus/{round}"));
        var malloryList = await Mallory.GetFromJsonAsync<JsonObject>("/api/swarms/optimizations?limit=200");
        if (malloryList!["items"]!.AsArray().Any(o => (string?)o!["id"] == optimization))
        {
            failures.Add("mallory GET optimisations: saw alice's");
        }

        Expect(failures, "alice", "POST cancel optimisation", HttpStatusCode.OK, await Alice.PostAsync($"/api/swarms/optimizations/{optimization}/cancel", null));
        Assert.Empty(failures);
    }

    [Fact]
    public async Task AgentMemory_OnlyTheOwnerWrites_AndTheOwnerComesFromTheCaller()
    {
        var (agent, _) = await AliceAgentAsync();
        var failures = new List<string>();

        var view = await Alice.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}");
        if ((string?)view!["metadata"]!["owner"] != _alice)
        {
            failures.Add($"registration: owner is '{view["metadata"]!["owner"]}', not the caller");
        }

        Expect(failures, "alice", "PUT memory", HttpStatusCode.Created, await Alice.PutAsJsonAsync($"/api/agents/{agent}/memory/plan", new { value = "mine" }));
        Expect(failures, "mallory", "PUT memory (overwrite)", HttpStatusCode.Forbidden, await Mallory.PutAsJsonAsync($"/api/agents/{agent}/memory/plan", new { value = "pwned" }));
        Expect(failures, "mallory", "PUT memory (new key)", HttpStatusCode.Forbidden, await Mallory.PutAsJsonAsync($"/api/agents/{agent}/memory/other", new { value = "pwned" }));
        Expect(failures, "mallory", "DELETE memory", HttpStatusCode.Forbidden, await Mallory.DeleteAsync($"/api/agents/{agent}/memory/plan"));
        Expect(failures, "admin", "PUT memory", HttpStatusCode.OK, await factory.CreateClient().PutAsJsonAsync($"/api/agents/{agent}/memory/plan", new { value = "admin" }));

        // Owner is not self-asserted: naming another owner needs trust:admin.
        Expect(failures, "mallory", "POST agent owned by alice", HttpStatusCode.Forbidden, await Mallory.PostAsJsonAsync("/api/agents",
            new { id = NewId("own-agent"), name = "fake", capabilities = X, metadata = new Dictionary<string, string> { ["owner"] = _alice } }));
        Expect(failures, "alice", "PUT agent owner=mallory", HttpStatusCode.Forbidden, await Alice.PutAsJsonAsync($"/api/agents/{agent}",
            new { name = "alice's", capabilities = X, metadata = new Dictionary<string, string> { ["owner"] = "someone-else" } }));
        Expect(failures, "alice", "PUT agent without owner", HttpStatusCode.OK, await Alice.PutAsJsonAsync($"/api/agents/{agent}",
            new { name = "alice's v2", capabilities = X }));
        var after = await Alice.GetFromJsonAsync<JsonObject>($"/api/agents/{agent}");
        if ((string?)after!["metadata"]!["owner"] != _alice)
        {
            failures.Add("update without metadata dropped the owner");
        }

        Assert.Empty(failures);
    }
}
