using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// POST /api/workflows/generate against the scripted model: the planner reads the catalogue, has
/// drafts validated through its tool and repairs them; a valid result is stored as created with its
/// provenance and runs, an invalid one is 422 with its findings and stores nothing.
/// </summary>
public sealed class WorkflowGenerationTests(HostedAgentsFixture fixture) : IClassFixture<HostedAgentsFixture>
{
    private static readonly string[] NoModelCapabilities = ["x"];

    private readonly string _user = "planner-user-" + Guid.NewGuid().ToString("N")[..8];

    private HttpClient Dev => fixture.Api.ClientFor(_user, Roles.Developer, Roles.Operator);

    private static string NewId() => "plan-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> RegisterAsync(object registration)
    {
        var response = await Dev.PostAsJsonAsync("/api/agents", registration);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private Task<string> PlannerAsync(string model, string provider = HostedAgentsFixture.Provider) =>
        RegisterAsync(new { id = NewId(), name = "planner", model = new { provider, model } });

    private async Task<JsonObject> PostAsync(string path, object body, HttpStatusCode expected)
    {
        var response = await Dev.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{path}: expected {expected}, got {response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task Generate_RepairsAnInvalidFirstDraft_StoresItCreatedWithProvenance_AndTheWorkflowRuns()
    {
        await RegisterAsync(new { id = NewId(), name = "target", capabilities = new[] { ScriptedLlmServer.PlanCapability } });
        var planner = await PlannerAsync("plan-repair");

        var created = await PostAsync("/api/workflows/generate", new { goal = "Say the topic back to me", agentId = planner }, HttpStatusCode.Created);

        Assert.Equal("created", (string?)created["status"]);
        Assert.Equal(_user, (string?)created["createdBy"]);
        Assert.Equal("echo", (string?)created["definition"]!["steps"]![0]!["skill"]);
        var provenance = created["provenance"]!;
        Assert.Equal(_user, (string?)provenance["generatedBy"]);
        Assert.Equal(planner, (string?)provenance["agentId"]);
        Assert.Equal(HostedAgentsFixture.Provider, (string?)provenance["provider"]);
        Assert.Equal("plan-repair", (string?)provenance["model"]);
        Assert.Equal(2, (int?)provenance["rounds"]);
        Assert.StartsWith("sha256:", (string?)provenance["promptHash"], StringComparison.Ordinal);

        // The planner was offered the catalogue and the validation as functions.
        var offered = fixture.Llm.Requests.Where(r => (string?)r["model"] == "plan-repair")
            .SelectMany(r => r["tools"]?.AsArray() ?? []).Select(t => (string?)t!["function"]!["name"]).ToHashSet();
        Assert.Superset(new HashSet<string?> { "list_skills", "list_capabilities", "validate_workflow" }, offered);

        // The planner's model calls count on its day like a conversation's (its budgets, GET /api/usage).
        var usage = await Dev.GetFromJsonAsync<JsonObject>($"/api/agents/{planner}/usage");
        Assert.True((long?)usage!["tokens"] > 0, usage.ToJsonString());

        var id = (string)created["id"]!;
        var stored = await Dev.GetFromJsonAsync<JsonObject>($"/api/workflows/{id}");
        Assert.Equal(2, (int?)stored!["provenance"]!["rounds"]);

        Assert.Equal("validated", (string?)(await PostAsync($"/api/workflows/{id}/validate", new { }, HttpStatusCode.OK))["status"]);
        await PostAsync($"/api/workflows/{id}/stage", new { }, HttpStatusCode.OK);
        Assert.Equal("active", (string?)(await PostAsync($"/api/workflows/{id}/activate", new { }, HttpStatusCode.OK))["status"]);
        var run = await PostAsync($"/api/workflows/{id}/runs", new { mode = "production", input = new { topic = "orleans" } }, HttpStatusCode.Accepted);

        var finished = await Eventually.HoldsAsync(
            () => Dev.GetFromJsonAsync<JsonObject>($"/api/runs/{(string)run["runId"]!}")!,
            r => (string?)r!["status"] is "succeeded" or "failed" or "cancelled",
            "the generated workflow's run to finish", describe: r => r?.ToJsonString() ?? "null");
        Assert.Equal("succeeded", (string?)finished!["status"]);
        Assert.Equal("orleans", (string?)finished["output"]!["said"]);
    }

    [Fact]
    public async Task Generate_WhenThePlannerNeverGetsValid_Is422WithTheDraftAndFindings_AndStoresNothing()
    {
        var planner = await PlannerAsync("plan-never");

        var response = await Dev.PostAsJsonAsync("/api/workflows/generate", new { goal = "Say the topic back to me", agentId = planner, maxRounds = 2 });

        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.UnprocessableEntity, "workflow.generate_invalid");
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["code"] == "workflow.unknown_skill" && (string?)e["path"] == "steps[0].skill");
        Assert.Equal("echoo", (string?)problem["draft"]!["steps"]![0]!["skill"]);
        Assert.Equal(2, (int?)problem["provenance"]!["rounds"]);
        var mine = await Dev.GetFromJsonAsync<JsonObject>($"/api/workflows?createdBy={_user}");
        Assert.Empty(mine!["items"]!.AsArray());
    }

    [Fact]
    public async Task Generate_BadRequests_AreProblemsWithCodes()
    {
        var external = await RegisterAsync(new { id = NewId(), name = "no model", capabilities = NoModelCapabilities });
        var cases = new (object Body, HttpStatusCode Status, string Code)[]
        {
            (new { agentId = "x" }, HttpStatusCode.BadRequest, "workflow.generate_invalid_goal"),
            (new { goal = "  " }, HttpStatusCode.BadRequest, "workflow.generate_invalid_goal"),
            (new { goal = new string('g', 4001) }, HttpStatusCode.BadRequest, "workflow.generate_invalid_goal"),
            (new { goal = "g", maxRounds = 0 }, HttpStatusCode.BadRequest, "workflow.generate_invalid_max_rounds"),
            (new { goal = "g", maxRounds = 11 }, HttpStatusCode.BadRequest, "workflow.generate_invalid_max_rounds"),
            (new { goal = "g", agentId = "Not An Id" }, HttpStatusCode.BadRequest, "agent.invalid_id"),
            (new { goal = "g", steps = 3 }, HttpStatusCode.BadRequest, "request.unknown_field"),
            (new { goal = "g", agentId = NewId() }, HttpStatusCode.NotFound, "agent.not_found"),
            (new { goal = "g", agentId = external }, HttpStatusCode.Conflict, "agent.not_hosted"),
            // The fixture has two providers and no default: no default planner can be made.
            (new { goal = "g" }, HttpStatusCode.ServiceUnavailable, "workflow.planner_not_configured"),
        };
        foreach (var (body, status, code) in cases)
        {
            await ProblemAssert.IsAsync(await Dev.PostAsJsonAsync("/api/workflows/generate", body), status, code);
        }
    }

    [Fact]
    public async Task Generate_WhenTheProviderFails_Is503WithACode()
    {
        var planner = await PlannerAsync("fail-429", HostedAgentsFixture.SecondProvider);

        var response = await Dev.PostAsJsonAsync("/api/workflows/generate", new { goal = "anything", agentId = planner });

        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.ServiceUnavailable, "workflow.planner_unavailable");
        Assert.Contains("llm.", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_ByAViewer_IsForbidden()
    {
        var viewer = fixture.Api.ClientFor("viewer-" + Guid.NewGuid().ToString("N")[..8], Roles.Viewer);

        var response = await viewer.PostAsJsonAsync("/api/workflows/generate", new { goal = "anything" });

        await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }
}
