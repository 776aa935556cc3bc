using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansAgents.Tests.Console;

[Collection(ConsoleGroup.Name)]
public sealed class ConsoleTests(ConsoleHost host) : ConsolePageTest(host)
{
    private static readonly string[] ScoutCapabilities = ["search", "console"];
    private static readonly string[] ViewerRoles = ["viewer"];
    private static readonly string[] OperatorRoles = ["operator"];
    private static readonly string[] ChatCapabilities = ["chat"];
    private static readonly string[] EchoTool = ["echo"];

    [Fact]
    public async Task Login_WithDevelopmentAdmin_ShowsOverview()
    {
        var page = await Page.GotoAsync("console");
        var policy = (await page!.AllHeadersAsync())["content-security-policy"];
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        await Page.Locator("input[name=username]").FillAsync(ConsoleHost.AdminUser);
        await Page.Locator("input[name=password]").FillAsync("not-the-password");
        await Page.GetByText("Log in", new() { Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("login-error")).ToBeVisibleAsync();
        await ScreenshotAsync("login");

        await Host.SendAsync(HttpMethod.Post, "api/agents", new { id = Unique("lookout"), name = "Lookout", capabilities = ScoutCapabilities }, HttpStatusCode.Created);
        await Host.SendAsync(HttpMethod.Post, $"api/circuit-breakers/{Unique("http:search.example")}/isolate", new { reason = "provider maintenance" }, HttpStatusCode.OK);
        var limited = await RateLimitedUserAsync();
        await LogInAsAdminAsync();
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Overview");
        await Expect(Page.GetByTestId("agents-total")).Not.ToHaveTextAsync("0");
        await Expect(Page.GetByTestId("breakers-open")).Not.ToHaveTextAsync("0");
        await Expect(Page.GetByTestId("card-cluster")).ToContainTextAsync("healthy");
        await Expect(Page.GetByTestId("card-agents")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("card-runs")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("card-breakers")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("silos-active")).ToHaveTextAsync("1 of 1 silos active");
        await Expect(Page.GetByTestId("tasks-per-second")).Not.ToHaveTextAsync("—");
        var top = Page.GetByTestId("limited-user").Filter(new() { HasText = limited });
        await Expect(top).ToBeVisibleAsync();
        await ScreenshotAsync("overview");

        // Each card links on: the limited user's windows on the resilience page.
        await top.ClickAsync();
        await Expect(Page.GetByTestId("rate-current-tier")).ToHaveTextAsync("free");
    }

    /// <summary>A viewer in the free tier (10 calls a minute) that called 12 times: at least two rejections.</summary>
    private async Task<string> RateLimitedUserAsync()
    {
        var user = Unique("busy");
        const string password = "busy-password-123";
        await Host.SendAsync(HttpMethod.Post, "api/users", new { name = user, password, roles = ViewerRoles }, HttpStatusCode.Created);
        await Host.SendAsync(HttpMethod.Put, $"api/rate-limits/{user}/tier", new { tier = "free" }, HttpStatusCode.OK);
        using var client = new HttpClient { BaseAddress = Host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await Host.LoginAsync(user, password));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await client.GetAsync("api/agents");
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        return user;
    }

    [Fact]
    public async Task RegisteredAgent_AppearsInTheList()
    {
        await LogInAsAdminAsync();
        await OpenAsync("console/agents", "Agents");
        var id = Unique("scout");
        await Host.SendAsync(HttpMethod.Post, "api/agents",
            new { id, name = "Scout", capabilities = ScoutCapabilities, maxConcurrentTasks = 2 }, HttpStatusCode.Created);

        // The list polls: the new agent shows up without a reload.
        var link = Page.GetByTestId("agent-link").Filter(new() { HasText = id });
        await Expect(link).ToBeVisibleAsync();
        await ScreenshotAsync("agents");

        await link.ClickAsync();
        await Expect(Page.Locator("h1")).ToContainTextAsync(id);
        await Expect(Page.GetByTestId("agent-capabilities")).ToContainTextAsync("search");
        await ScreenshotAsync("agent");
    }

    [Fact]
    public async Task Viewer_SeesNoWriteButtons()
    {
        var breaker = Unique("viewer-dep");
        await Host.SendAsync(HttpMethod.Post, $"api/circuit-breakers/{breaker}/isolate", new { reason = "maintenance" }, HttpStatusCode.OK);
        var workflow = await CreateWorkflowAsync(Unique("wf-viewer"), approvalOn: null);
        var viewer = Unique("viewer");
        const string password = "viewer-password-123";
        await Host.SendAsync(HttpMethod.Post, "api/users", new { name = viewer, password, roles = ViewerRoles }, HttpStatusCode.Created);

        await LogInAsync(viewer, password);
        await OpenAsync("console/resilience", "Resilience");
        var row = Page.Locator($"tr[data-breaker='{breaker}']");
        await Expect(row.Locator("[data-state]")).ToHaveAttributeAsync("data-state", "isolated");
        await Expect(Page.GetByText("Isolate", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByText("Close", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByText("Set tier", new() { Exact = true })).ToHaveCountAsync(0);
        await ScreenshotAsync("viewer-resilience");

        await OpenAsync($"console/workflows/{workflow}", "Workflow");
        await Expect(Page.Locator("[data-state]").First).ToBeVisibleAsync();
        foreach (var button in new[] { "Validate", "Stage", "Activate", "Archive", "Start run" })
        {
            await Expect(Page.GetByText(button, new() { Exact = true })).ToHaveCountAsync(0);
        }
    }

    [Fact]
    public async Task DiamondRun_EveryNodeTurnsSucceeded()
    {
        var workflow = await CreateWorkflowAsync(Unique("wf-diamond"), approvalOn: null);
        await LogInAsAdminAsync();
        var run = await StartRunAsync(workflow);

        await OpenAsync($"console/runs/{run}", "Run");
        var nodes = Page.Locator("g.dag-node");
        await Expect(nodes).ToHaveCountAsync(4);
        await Expect(Page.Locator("g.dag-node[data-status='succeeded']")).ToHaveCountAsync(4);
        await Page.Locator("g.dag-node[data-step='merge']").ClickAsync();
        await Expect(Page.GetByTestId("step-output")).ToContainTextAsync("\"merge\"");
        await ScreenshotAsync("run");
    }

    [Fact]
    public async Task WaitingStep_IsApprovedFromThePage()
    {
        var workflow = await CreateWorkflowAsync(Unique("wf-gate"), approvalOn: "merge");
        var run = await StartRunAsync(workflow);
        // Separation of duties: the admin started the run, so an operator approves it.
        var approver = Unique("operator");
        const string password = "operator-password-123";
        await Host.SendAsync(HttpMethod.Post, "api/users", new { name = approver, password, roles = OperatorRoles }, HttpStatusCode.Created);
        await LogInAsync(approver, password);

        await OpenAsync($"console/runs/{run}", "Run");
        var gate = Page.Locator("g.dag-node[data-step='merge']");
        await Expect(gate).ToHaveAttributeAsync("data-status", "waiting");
        await gate.ClickAsync();
        await ScreenshotAsync("approval");
        await Page.GetByText("Approve", new() { Exact = true }).ClickAsync();

        await Expect(gate).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(Page.Locator("g.dag-node[data-status='succeeded']")).ToHaveCountAsync(4);
        var stored = await Host.SendAsync(HttpMethod.Get, $"api/runs/{run}", null, HttpStatusCode.OK);
        Assert.Equal("succeeded", (string?)stored["status"]);
        Assert.Equal(approver, (string?)stored["steps"]!.AsArray().Single(s => (string?)s!["id"] == "merge")!["decidedBy"]);
    }

    [Fact]
    public async Task Breaker_IsIsolatedAndClosedFromThePage()
    {
        var breaker = Unique("llm:provider");
        await Host.SendAsync(HttpMethod.Post, $"api/circuit-breakers/{breaker}/close", new { reason = "create" }, HttpStatusCode.OK);
        await LogInAsAdminAsync();
        await OpenAsync("console/resilience", "Resilience");

        var row = Page.Locator($"tr[data-breaker='{breaker}']");
        var state = row.Locator("[data-state]");
        await Expect(state).ToHaveAttributeAsync("data-state", "closed");
        await row.GetByText("Isolate", new() { Exact = true }).ClickAsync();
        await Expect(state).ToHaveAttributeAsync("data-state", "isolated");
        await row.GetByTestId("breaker-history").Locator("summary").ClickAsync();
        await Expect(row.GetByTestId("breaker-history").Locator("li").First).ToContainTextAsync("isolated");
        Assert.Equal("isolated", (string?)(await Host.SendAsync(HttpMethod.Get, $"api/circuit-breakers/{breaker}", null, HttpStatusCode.OK))["state"]);
        await ScreenshotAsync("resilience");

        await row.GetByText("Close", new() { Exact = true }).ClickAsync();
        await Expect(state).ToHaveAttributeAsync("data-state", "closed");
        Assert.Equal("closed", (string?)(await Host.SendAsync(HttpMethod.Get, $"api/circuit-breakers/{breaker}", null, HttpStatusCode.OK))["state"]);
    }

    [Fact]
    public async Task Task_PageShowsItsAttemptsAndResult()
    {
        var agent = Unique("runner");
        await Host.SendAsync(HttpMethod.Post, "api/agents", new { id = agent, name = "Runner", capabilities = ScoutCapabilities }, HttpStatusCode.Created);
        var task = (string)(await Host.SendAsync(HttpMethod.Post, $"api/agents/{agent}/tasks",
            new { skill = "echo", input = new { question = "ping", delayMs = 200 } }, HttpStatusCode.Accepted))["id"]!;
        await LogInAsAdminAsync();

        await OpenAsync($"console/tasks?agent={agent}", "Tasks");
        await Page.GetByText(task, new() { Exact = true }).ClickAsync();
        await Expect(Page.Locator("h1")).ToContainTextAsync(task);
        await Expect(Page.Locator("[data-state]").First).ToHaveAttributeAsync("data-state", "succeeded");
        await Expect(Page.GetByTestId("task-attempts").Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("task-result")).ToContainTextAsync("ping");
        // The event stream's log: from queued to the result.
        await Expect(Page.GetByTestId("task-events").Locator("tbody tr").Last).ToContainTextAsync("succeeded");
        await ScreenshotAsync("task");
    }

    [Fact]
    public async Task TrustAndWorkflowPages_Render()
    {
        await CreateWorkflowAsync(Unique("wf-list"), approvalOn: null);
        await LogInAsAdminAsync();
        await OpenAsync("console/workflows", "Workflows");
        await Expect(Page.GetByText("Console diamond").First).ToBeVisibleAsync();
        await ScreenshotAsync("workflows");

        // A small ring of agents rating each other, so ranking and network have something to show.
        var ring = Enumerable.Range(0, 4).Select(_ => Unique("peer")).ToArray();
        foreach (var peer in ring)
        {
            await Host.SendAsync(HttpMethod.Post, "api/agents", new { id = peer, name = "Peer", capabilities = ScoutCapabilities }, HttpStatusCode.Created);
        }

        for (var i = 0; i < ring.Length; i++)
        {
            await Host.SendAsync(HttpMethod.Post, $"api/agents/{ring[(i + 1) % ring.Length]}/ratings",
                new { outcome = "satisfied", weight = 1 + i, rater = ring[i] }, HttpStatusCode.OK);
        }

        await Host.SendAsync(HttpMethod.Post, "api/trust/recompute", null, HttpStatusCode.Accepted);
        var optimization = (string)(await Host.SendAsync(HttpMethod.Post, "api/swarms/optimizations",
            new { function = "sphere", dimensions = 3, iterations = 40, seed = 7 }, HttpStatusCode.Accepted))["id"]!;
        await OpenAsync("console/trust", "Trust");
        await Expect(Page.GetByTestId("trust-ranking").GetByText(ring[0], new() { Exact = true })).ToBeVisibleAsync();
        await Expect(Page.Locator($"[data-testid='network'] g[data-node='{ring[0]}']")).ToBeVisibleAsync();
        await Page.Locator($"tr[data-optimization='{optimization}']").ClickAsync();
        await Expect(Page.Locator($"tr[data-optimization='{optimization}'] [data-state]")).ToHaveAttributeAsync("data-state", "completed");
        // One point per recorded iteration: the curve has more than its start.
        await Expect(Page.GetByTestId("convergence").Locator("polyline")).ToHaveAttributeAsync("points", new System.Text.RegularExpressions.Regex(@"^\S+ \S+"));
        await ScreenshotAsync("trust");
    }

    [Fact]
    public async Task Conversation_ShowsTheAnswerWithItsToolCallsFolded_AndTheTurnsCost()
    {
        var agent = Unique("assistant");
        await Host.SendAsync(HttpMethod.Post, "api/agents", new
        {
            id = agent,
            name = "Assistant",
            capabilities = ChatCapabilities,
            instructions = "Use the echo tool twice.",
            model = new { provider = ConsoleHost.LlmProvider, model = "tools" },
            tools = EchoTool,
        }, HttpStatusCode.Created);
        var conversation = (string)(await Host.SendAsync(HttpMethod.Post, $"api/agents/{agent}/conversations", null, HttpStatusCode.Created))["id"]!;
        await LogInAsAdminAsync();
        await OpenAsync($"console/conversations/{conversation}", "Conversation");
        await Expect(Page.GetByTestId("thread")).ToBeAttachedAsync();

        // Sent while the page is open: it follows the turn on the conversation's event stream.
        await Host.SendAsync(HttpMethod.Post, $"api/conversations/{conversation}/messages", new { content = "please echo one and two" }, HttpStatusCode.Accepted);
        var turn = Page.Locator("[data-turn='1']");
        await Expect(turn.GetByTestId("reply")).ToContainTextAsync("Tools said:", new() { Timeout = (float)Patience.TotalMilliseconds });
        var calls = turn.GetByTestId("tool-call");
        await Expect(calls).ToHaveCountAsync(2);
        await Expect(calls.First).ToHaveAttributeAsync("data-tool", "echo");
        await Expect(calls.First.GetByTestId("tool-result")).ToBeHiddenAsync(); // folded until opened
        await calls.First.Locator("summary").ClickAsync();
        await Expect(calls.First.GetByTestId("tool-result")).ToContainTextAsync("one");
        await Expect(turn.GetByTestId("turn-cost")).ToContainTextAsync("USD");
        await ScreenshotAsync("conversation");
    }

    /// <summary>A validated diamond (fetch → left, right → merge) of echo steps on a fresh agent; optionally an approval gate.</summary>
    private async Task<string> CreateWorkflowAsync(string id, string? approvalOn)
    {
        var capability = Unique("cap");
        await Host.SendAsync(HttpMethod.Post, "api/agents",
            new { id = Unique("worker"), name = "Worker", capabilities = new[] { capability }, maxConcurrentTasks = 4 }, HttpStatusCode.Created);
        object Step(string step, string[] dependsOn) => new
        {
            id = step, capability, skill = "echo", dependsOn, requiresApproval = step == approvalOn,
            input = new { step, delayMs = 300 },
        };
        await Host.SendAsync(HttpMethod.Post, "api/workflows", new
        {
            id,
            name = "Console diamond",
            goal = "Fetch, two branches, merge",
            steps = new[] { Step("fetch", []), Step("left", ["fetch"]), Step("right", ["fetch"]), Step("merge", ["left", "right"]) },
        }, HttpStatusCode.Created);
        await Host.SendAsync(HttpMethod.Post, $"api/workflows/{id}/validate", null, HttpStatusCode.OK);
        return id;
    }

    private async Task<string> StartRunAsync(string workflow) =>
        (string)(await Host.SendAsync(HttpMethod.Post, $"api/workflows/{workflow}/runs", new { mode = "test", input = new { } }, HttpStatusCode.Accepted))["runId"]!;
}
