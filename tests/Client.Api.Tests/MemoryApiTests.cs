using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class MemoryApiTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private static string NewId() => "mem-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> RegisterAsync()
    {
        var id = NewId();
        var response = await _http.PostAsJsonAsync("/api/agents", new { id, name = "Rememberer" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private Task<HttpResponseMessage> PutRawAsync(string path, string json) =>
        _http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Put_Creates201WithLocation_ReplacesWith200_AndGetReadsTheJsonBack()
    {
        var id = await RegisterAsync();
        var path = $"/api/agents/{id}/memory/notes/2026:01";

        var created = await PutRawAsync(path, "{\"value\": {\"topic\": \"orleans\", \"scores\": [1, 2.5]}, \"tags\": [\"research\"], \"ttlSeconds\": 3600}");
        var replaced = await PutRawAsync(path, "{\"value\": \"shorter\"}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(path, created.Headers.Location?.OriginalString);
        var first = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("orleans", (string?)first["value"]!["topic"]);
        Assert.Equal("research", (string?)first["tags"]![0]);
        Assert.NotNull(first["expiresAt"]);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var read = (await _http.GetFromJsonAsync<JsonObject>(created.Headers.Location))!;
        Assert.Equal("notes/2026:01", (string?)read["key"]);
        Assert.Equal("shorter", (string?)read["value"]);
        Assert.Empty(read["tags"]!.AsArray());
        Assert.Null(read["expiresAt"]);
        Assert.Equal(2, (int)read["version"]!);
    }

    [Fact]
    public async Task Put_AcceptsAJsonNullValue_ButNotAMissingOne()
    {
        var id = await RegisterAsync();

        Assert.Equal(HttpStatusCode.Created, (await PutRawAsync($"/api/agents/{id}/memory/nothing", "{\"value\": null}")).StatusCode);
        await ProblemAssert.IsAsync(await PutRawAsync($"/api/agents/{id}/memory/missing", "{\"tags\": [\"a\"]}"), HttpStatusCode.BadRequest, "memory.missing_value");

        var read = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/memory/nothing"))!;
        Assert.True(read.ContainsKey("value"));
        Assert.Null(read["value"]);
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory/missing"), HttpStatusCode.NotFound, "memory.not_found");
    }

    [Fact]
    public async Task Delete_Returns204_ThenTheEntryIsGone()
    {
        var id = await RegisterAsync();
        await PutRawAsync($"/api/agents/{id}/memory/k", "{\"value\": 1}");

        var deleted = await _http.DeleteAsync($"/api/agents/{id}/memory/k");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory/k"), HttpStatusCode.NotFound, "memory.not_found");
        await ProblemAssert.IsAsync(await _http.DeleteAsync($"/api/agents/{id}/memory/k"), HttpStatusCode.NotFound, "memory.not_found");
    }

    [Fact]
    public async Task List_FiltersByPrefixAndTag_AndPagesWithTheCursor()
    {
        var id = await RegisterAsync();
        foreach (var (key, tag) in new[] { ("notes/b", "x"), ("notes/a", "x"), ("notes/c", "y"), ("todo/1", "x") })
        {
            await PutRawAsync($"/api/agents/{id}/memory/{key}", $"{{\"value\": \"{key}\", \"tags\": [\"{tag}\"]}}");
        }

        var first = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/memory?prefix=notes/&limit=2"))!;
        var cursor = (string?)first["nextCursor"];
        var second = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/memory?prefix=notes/&limit=2&cursor={cursor}"))!;
        var tagged = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/memory?tag=x"))!;

        Assert.Equal(["notes/a", "notes/b"], Keys(first));
        Assert.NotNull(cursor);
        Assert.Equal(["notes/c"], Keys(second));
        Assert.Null(second["nextCursor"]);
        Assert.Equal(["notes/a", "notes/b", "todo/1"], Keys(tagged));
        Assert.Equal("notes/a", (string?)tagged["items"]![0]!["value"]);
    }

    [Fact]
    public async Task Usage_ReportsEntriesAndBytesAgainstTheQuota()
    {
        var id = await RegisterAsync();
        var created = (await (await PutRawAsync($"/api/agents/{id}/memory/k", "{\"value\": [1, 2, 3]}")).Content.ReadFromJsonAsync<JsonObject>())!;

        var usage = (await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/memory-usage"))!;

        Assert.Equal(1, (int)usage["entries"]!);
        Assert.Equal((int)created["sizeBytes"]!, (int)usage["bytes"]!);
        Assert.Equal(1000, (int)usage["maxEntries"]!);
        Assert.Equal(1024 * 1024, (int)usage["maxBytes"]!);
    }

    [Fact]
    public async Task Put_RefusesBadInput_WithItsCode_AndStoresNothing()
    {
        var id = await RegisterAsync();
        var path = $"/api/agents/{id}/memory/k";

        await ProblemAssert.IsAsync(await PutRawAsync($"/api/agents/{id}/memory/bad%20key", "{\"value\": 1}"), HttpStatusCode.BadRequest, "memory.invalid_key");
        await ProblemAssert.IsAsync(await PutRawAsync($"/api/agents/{id}/memory/trailing/", "{\"value\": 1}"), HttpStatusCode.BadRequest, "memory.invalid_key");
        await ProblemAssert.IsAsync(await PutRawAsync($"/api/agents/{id}/memory/", "{\"value\": 1}"), HttpStatusCode.BadRequest, "memory.invalid_key");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": 1, \"tags\": [\"Not A Tag\"]}"), HttpStatusCode.BadRequest, "memory.invalid_tag");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": 1, \"ttlSeconds\": -5}"), HttpStatusCode.BadRequest, "memory.invalid_ttl");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": 1, \"ttlSeconds\": 0}"), HttpStatusCode.BadRequest, "memory.invalid_ttl");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": 1, \"ttlSeconds\": 999999999}"), HttpStatusCode.BadRequest, "memory.invalid_ttl");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": 1, \"ttlSeconds\": \"soon\"}"), HttpStatusCode.BadRequest, "request.wrong_type");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": 1, \"tag\": []}"), HttpStatusCode.BadRequest, "request.unknown_field");
        await ProblemAssert.IsAsync(await PutRawAsync(path, "{\"value\": "), HttpStatusCode.BadRequest, "request.body_not_json");
        await ProblemAssert.IsAsync(await PutRawAsync(path, $"{{\"value\": \"{new string('x', 70 * 1024)}\"}}"), HttpStatusCode.RequestEntityTooLarge, "memory.entry_too_large");
        await ProblemAssert.IsAsync(await PutRawAsync("/api/agents/Not_An_Id/memory/k", "{\"value\": 1}"), HttpStatusCode.BadRequest, "agent.invalid_id");

        Assert.Equal(0, (int)(await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{id}/memory-usage"))!["entries"]!);
    }

    [Fact]
    public async Task List_RefusesBadQueries()
    {
        var id = await RegisterAsync();

        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory?cursor=not-a-cursor!"), HttpStatusCode.BadRequest, "request.invalid_cursor");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory?cursor=Ly8"), HttpStatusCode.BadRequest, "request.invalid_cursor");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory?limit=0"), HttpStatusCode.BadRequest, "request.invalid_limit");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory?limit=201"), HttpStatusCode.BadRequest, "request.invalid_limit");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory?tag=Bad%20Tag"), HttpStatusCode.BadRequest, "memory.invalid_tag");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{id}/memory?prefix=a%20b"), HttpStatusCode.BadRequest, "memory.invalid_key");
    }

    [Fact]
    public async Task UnknownAndRetiredAgents_AreRefused_ButRetiredMemoryStaysReadable()
    {
        var unknown = NewId();
        await ProblemAssert.IsAsync(await PutRawAsync($"/api/agents/{unknown}/memory/k", "{\"value\": 1}"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{unknown}/memory/k"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{unknown}/memory"), HttpStatusCode.NotFound, "agent.not_found");
        await ProblemAssert.IsAsync(await _http.GetAsync($"/api/agents/{unknown}/memory-usage"), HttpStatusCode.NotFound, "agent.not_found");

        var retired = await RegisterAsync();
        await PutRawAsync($"/api/agents/{retired}/memory/k", "{\"value\": \"kept\"}");
        Assert.Equal(HttpStatusCode.OK, (await _http.DeleteAsync($"/api/agents/{retired}")).StatusCode);

        await ProblemAssert.IsAsync(await PutRawAsync($"/api/agents/{retired}/memory/k", "{\"value\": 2}"), HttpStatusCode.Conflict, "agent.retired");
        await ProblemAssert.IsAsync(await _http.DeleteAsync($"/api/agents/{retired}/memory/k"), HttpStatusCode.Conflict, "agent.retired");
        Assert.Equal("kept", (string?)(await _http.GetFromJsonAsync<JsonObject>($"/api/agents/{retired}/memory/k"))!["value"]);
    }

    [Fact]
    public async Task Metrics_ExportWritesRejectionsAndCleanup()
    {
        var id = await RegisterAsync();
        await PutRawAsync($"/api/agents/{id}/memory/k", "{\"value\": 1}");
        await PutRawAsync($"/api/agents/{id}/memory/huge", $"{{\"value\": \"{new string('x', 70 * 1024)}\"}}");

        var metrics = await factory.ManagementClient().GetStringAsync("/metrics");

        Assert.Matches(@"orleansagents_memory_entries_written(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"orleansagents_memory_bytes_written(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"orleansagents_memory_quota_rejections\{reason=""entry_size""\} [1-9]", metrics);
        Assert.Contains("orleansagents_memory_quota_rejections{reason=\"entries\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_memory_quota_rejections{reason=\"bytes\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("orleansagents_memory_expired_removed", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesEveryMemoryEndpoint()
    {
        var paths = (await _http.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!["paths"]!.AsObject();

        Assert.Equal(["delete", "get", "put"], paths["/api/agents/{id}/memory/{key}"]!.AsObject().Select(p => p.Key).Order());
        Assert.True(paths.ContainsKey("/api/agents/{id}/memory"));
        Assert.True(paths.ContainsKey("/api/agents/{id}/memory-usage"));
    }

    private static IEnumerable<string?> Keys(JsonObject page) => page["items"]!.AsArray().Select(e => (string?)e!["key"]);
}
