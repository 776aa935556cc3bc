using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class AgentsApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private static readonly string[] OtherCapability = ["other"];

    private static string NewId() => "api-" + Guid.NewGuid().ToString("N")[..12];

    private static object Body(string? id, string name = "Researcher", params string[] capabilities) => new
    {
        id,
        name,
        description = "finds things",
        capabilities,
        maxConcurrentTasks = 2,
        metadata = new Dictionary<string, string> { ["team"] = "core" },
    };

    private async Task<JsonObject> RegisterAsync(string id, params string[] capabilities)
    {
        var response = await _http.PostAsJsonAsync("/api/agents", Body(id, capabilities: capabilities));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Post_Returns201WithLocation_AndGetReadsItBack()
    {
        var id = NewId();
        var response = await _http.PostAsJsonAsync("/api/agents", Body(id, capabilities: ["search"]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/agents/{id}", response.Headers.Location?.OriginalString);
        var created = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("idle", (string?)created!["status"]);
        Assert.Equal("hosted", (string?)created["kind"]); // the README's registration needs no heartbeat

        var read = await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}");
        Assert.Equal("Researcher", (string?)read!["name"]);
        Assert.Equal("core", (string?)read["metadata"]!["team"]);
    }

    [Fact]
    public async Task Post_TakesKindExternal_ForAgentsThatHeartbeat()
    {
        var body = new { id = NewId(), name = "Worker", capabilities = new[] { "search" }, kind = "external" };
        var response = await _http.PostAsJsonAsync("/api/agents", body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("external", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["kind"]);
    }

    [Fact]
    public async Task Post_Returns409AgentExists_AndKeepsTheFirstRegistration()
    {
        var id = NewId();
        await RegisterAsync(id);

        var response = await _http.PostAsJsonAsync("/api/agents", Body(id, name: "Impostor"));

        await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict, "agent.exists");
        Assert.Equal("Researcher", (string?)(await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}"))!["name"]);
    }

    [Fact]
    public async Task Put_ReplacesTheRegistration()
    {
        var id = NewId();
        await RegisterAsync(id, "old");

        var response = await _http.PutAsJsonAsync($"/api/agents/{id}", Body(null, "Renamed", "new"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Renamed", (string?)updated!["name"]);
        Assert.Equal(2, (int)updated["version"]!);
        Assert.Equal("new", (string?)updated["capabilities"]![0]);
    }

    [Fact]
    public async Task Delete_RetiresTheAgent_AndHeartbeatsAreThenRefused()
    {
        var id = NewId();
        await RegisterAsync(id);

        var retired = await _http.DeleteAsync($"/api/agents/{id}");
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
        Assert.Equal("retired", (string?)(await retired.Content.ReadFromJsonAsync<JsonObject>())!["status"]);

        await ProblemAssert.IsAsync(await _http.PostAsync($"/api/agents/{id}/heartbeat", null), HttpStatusCode.Conflict, "agent.retired");
    }

    [Fact]
    public async Task Heartbeat_AcceptsAnEmptyBodyOrALoad()
    {
        var id = NewId();
        await RegisterAsync(id);

        var empty = await _http.PostAsync($"/api/agents/{id}/heartbeat", null);
        var loaded = await _http.PostAsJsonAsync($"/api/agents/{id}/heartbeat", new { activeTasks = 2 });

        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal("busy", (string?)(await loaded.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
    }

    [Fact]
    public async Task List_PagesByCapability_WithAnOpaqueCursor()
    {
        var capability = "cap-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 5).Select(i => $"{capability}-{i}").ToList();
        foreach (var id in ids)
        {
            await RegisterAsync(id, capability);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/api/agents?capability={capability}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await _http.GetFromJsonAsync<JsonObject>(url);
            seen.AddRange(page!["items"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);

        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task List_FiltersByStatus()
    {
        var id = NewId();
        await RegisterAsync(id);
        await _http.DeleteAsync($"/api/agents/{id}");

        var retired = await _http.GetFromJsonAsync<JsonObject>("/api/agents?status=retired&limit=200");
        var idle = await _http.GetFromJsonAsync<JsonObject>("/api/agents?status=idle&limit=200");

        Assert.Contains(retired!["items"]!.AsArray(), i => (string?)i!["id"] == id);
        Assert.DoesNotContain(idle!["items"]!.AsArray(), i => (string?)i!["id"] == id);
    }

    [Theory]
    [InlineData("GET", "/api/agents/NOT_VALID", "agent.invalid_id")]
    [InlineData("GET", "/api/agents?limit=0", "request.invalid_limit")]
    [InlineData("GET", "/api/agents?limit=abc", "request.invalid_limit")]
    [InlineData("GET", "/api/agents?limit=201", "request.invalid_limit")]
    [InlineData("GET", "/api/agents?status=sleepy", "request.invalid_status")]
    [InlineData("GET", "/api/agents?status=2", "request.invalid_status")]
    [InlineData("GET", "/api/agents?cursor=%%%", "request.invalid_cursor")]
    [InlineData("GET", "/api/agents?capability=Bad%20Cap", "agent.invalid_capability")]
    [InlineData("DELETE", "/api/agents/Bad!", "agent.invalid_id")]
    public async Task BadQueriesAndIds_Return400WithACode(string method, string url, string code)
    {
        var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Theory]
    [InlineData("not json", "request.body_not_json")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"maxConcurrentTasks\":\"ten\"}", "request.wrong_type")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"capabilities\":\"search\"}", "request.wrong_type")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"colour\":\"red\"}", "request.unknown_field")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"kind\":\"robot\"}", "request.wrong_type")]
    [InlineData("{\"id\":\"Bad Id\",\"name\":\"n\"}", "agent.invalid_id")]
    [InlineData("{\"name\":\"n\"}", "agent.invalid_id")]
    [InlineData("{\"id\":\"x1\",\"name\":\"\"}", "agent.invalid_name")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"maxConcurrentTasks\":0}", "agent.invalid_max_concurrent_tasks")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"capabilities\":[\"UPPER\"]}", "agent.invalid_capability")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"metadata\":{\"k\":1}}", "request.wrong_type")]
    [InlineData("", "request.body_missing")]
    [InlineData("null", "request.body_missing")]
    [InlineData("[]", "request.wrong_type")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"id\":\"x2\"}", "request.body_not_json")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"capabilities\":[null]}", "agent.invalid_capability")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"metadata\":{\"k\":null}}", "agent.invalid_metadata")]
    [InlineData("{\"id\":\"x1\",\"name\":\"n\",\"maxConcurrentTasks\":99999999999}", "request.wrong_type")]
    public async Task Post_BadBodies_Return400WithACode(string body, string code)
    {
        var response = await _http.PostAsync("/api/agents", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Post_NonJsonContentType_Returns415()
    {
        var response = await _http.PostAsync("/api/agents", new StringContent("{\"id\":\"x1\",\"name\":\"n\"}", Encoding.UTF8, "text/plain"));
        await ProblemAssert.IsAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type");
    }

    [Fact]
    public async Task Post_OversizedFields_Return400_AndTooManyCapabilities()
    {
        var longName = new string('n', 129);
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync("/api/agents", Body(NewId(), longName)), HttpStatusCode.BadRequest, "agent.invalid_name");

        var many = Enumerable.Range(0, 33).Select(i => $"c{i}").ToArray();
        await ProblemAssert.IsAsync(await _http.PostAsJsonAsync("/api/agents", Body(NewId(), capabilities: many)), HttpStatusCode.BadRequest, "agent.too_many_capabilities");
    }

    [Fact]
    public async Task RejectedUpdate_LeavesTheStoredAgentUnchanged()
    {
        var id = NewId();
        await RegisterAsync(id, "keep");

        await ProblemAssert.IsAsync(await _http.PutAsJsonAsync($"/api/agents/{id}", new { name = "", capabilities = OtherCapability }), HttpStatusCode.BadRequest, "agent.invalid_name");
        await ProblemAssert.IsAsync(await _http.PutAsync($"/api/agents/{id}", new StringContent("{\"name\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "request.body_not_json");
        await ProblemAssert.IsAsync(await _http.PutAsJsonAsync($"/api/agents/{id}", Body("someone-else")), HttpStatusCode.BadRequest, "agent.invalid_id");

        var read = await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}");
        Assert.Equal("Researcher", (string?)read!["name"]);
        Assert.Equal(1, (int)read["version"]!);
        Assert.Equal("keep", (string?)read["capabilities"]![0]);
    }

    [Fact]
    public async Task UnknownAgentAndRoute_Return404ProblemDetails()
    {
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{NewId()}"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.PutAsJsonAsync($"/api/agents/{NewId()}", Body(null)), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.DeleteAsync($"/api/agents/{NewId()}"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.PostAsync($"/api/agents/{NewId()}/heartbeat", null), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound, "route.not_found");
    }
}
