using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>
/// Issue 17, item 8 (separation of duties): deciding an approval gate needs workflow:approve, the
/// run's visibility rules, and — unless Workflows:AllowSelfApproval — someone other than its starter.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApprovalTests(ApiFactory factory)
{
    private static readonly string[] Draft = ["draft"];

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Registers an agent and a workflow whose second step waits for approval; starts a run as <paramref name="starter"/> and waits for the gate.</summary>
    internal static async Task<string> WaitingRunAsync(HttpClient starter)
    {
        var capability = NewId("gate");
        await Ok(await starter.PostAsJsonAsync("/api/agents", new { id = NewId("gate-agent"), name = "gatekeeper", capabilities = new[] { capability }, maxConcurrentTasks = 2 }));
        var workflow = NewId("gate-wf");
        await Ok(await starter.PostAsJsonAsync("/api/workflows", new
        {
            id = workflow,
            name = "needs a second pair of eyes",
            steps = new object[]
            {
                new { id = "draft", capability, skill = "echo", input = new { v = 1 } },
                new { id = "ship", capability, skill = "echo", input = new { v = 2 }, dependsOn = Draft, requiresApproval = true },
            },
        }));
        await Ok(await starter.PostAsJsonAsync($"/api/workflows/{workflow}/validate", new { }));
        var runId = (string)(await Ok(await starter.PostAsJsonAsync($"/api/workflows/{workflow}/runs", new { mode = "test" })))["runId"]!;
        await Eventually.HoldsAsync(
            async () => (string?)(await starter.GetFromJsonAsync<JsonObject>($"/api/runs/{runId}"))!["status"] == "waiting",
            "the run to reach its gate");

        return runId;
    }

    private static async Task<JsonObject> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task ExpectAsync(List<string> failures, string who, HttpResponseMessage response, HttpStatusCode status, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        var actual = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? (string?)JsonNode.Parse(text)!["code"] : null;
        if (response.StatusCode != status || (code is not null && actual != code))
        {
            failures.Add($"{who}: expected {(int)status} {code}, got {(int)response.StatusCode} {actual}");
        }
    }

    [Fact]
    public async Task Gates_NeedWorkflowApprove_AndSomeoneOtherThanTheStarter()
    {
        // Ada is an admin: she holds workflow:approve and workflow:manage-any, yet started the run herself.
        var ada = factory.ClientFor(NewId("ada"), Roles.Admin);
        var developer = factory.ClientFor(NewId("dev"), Roles.Developer);
        var analyst = factory.ClientFor(NewId("ann"), Roles.Analyst);
        var runId = await WaitingRunAsync(ada);
        var failures = new List<string>();

        foreach (var action in new[] { "approve", "reject" })
        {
            var url = $"/api/runs/{runId}/steps/ship/{action}";
            await ExpectAsync(failures, $"starter (admin) {action}", await ada.PostAsJsonAsync(url, new { }), HttpStatusCode.Forbidden, "workflow.self_approval");
            await ExpectAsync(failures, $"developer {action}", await developer.PostAsJsonAsync(url, new { }), HttpStatusCode.Forbidden, "auth.forbidden");
            await ExpectAsync(failures, $"analyst {action}", await analyst.PostAsJsonAsync(url, new { }), HttpStatusCode.Forbidden, "auth.forbidden");
        }

        var still = await ada.GetFromJsonAsync<JsonObject>($"/api/runs/{runId}");
        if ((string?)still!["status"] != "waiting")
        {
            failures.Add($"the refused decisions changed the run: {(string?)still["status"]}");
        }

        var olga = factory.ClientFor(NewId("olga"), Roles.Operator);
        await ExpectAsync(failures, "operator approve", await olga.PostAsJsonAsync($"/api/runs/{runId}/steps/ship/approve", new { comment = "looked at it" }), HttpStatusCode.OK, null);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task DevelopersRun_IsApprovedByAnOperator_NotByAnotherDeveloper()
    {
        var alice = factory.ClientFor(NewId("alice"), Roles.Developer);
        var runId = await WaitingRunAsync(alice);
        var failures = new List<string>();
        await ExpectAsync(failures, "starter (developer)", await alice.PostAsJsonAsync($"/api/runs/{runId}/steps/ship/approve", new { }), HttpStatusCode.Forbidden, "auth.forbidden");
        await ExpectAsync(failures, "unknown run", await factory.ClientFor(NewId("olga"), Roles.Operator)
            .PostAsJsonAsync($"/api/runs/r_{new string('b', 26)}/steps/ship/approve", new { }), HttpStatusCode.NotFound, "workflow.run_not_found");
        await ExpectAsync(failures, "operator reject", await factory.ClientFor(NewId("olga"), Roles.Operator)
            .PostAsJsonAsync($"/api/runs/{runId}/steps/ship/reject", new { comment = "not today" }), HttpStatusCode.OK, null);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task AllowSelfApproval_LetsTheStarterDecide()
    {
        using var relaxed = factory.WithWebHostBuilder(b => b.UseSetting("Workflows:AllowSelfApproval", "true"));
        var issuer = relaxed.Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>();
        var ada = relaxed.CreateClient();
        ada.DefaultRequestHeaders.Authorization = new("Bearer", issuer.Issue(NewId("ada"), [Roles.Admin], "user", null).Token);
        var runId = await WaitingRunAsync(ada);
        var response = await ada.PostAsJsonAsync($"/api/runs/{runId}/steps/ship/approve", new { });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
