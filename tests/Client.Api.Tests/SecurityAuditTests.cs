using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

/// <summary>Each security action leaves its row in the audit log, with the actor and the outcome.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class SecurityAuditTests(ApiFactory factory)
{
    private static readonly string[] AnalystRole = [Roles.Analyst];
    private static readonly string[] ViewerRole = [Roles.Viewer];

    private readonly HttpClient _admin = factory.CreateClient();

    private async Task<JsonArray> EntriesAsync(string action, string? actor = null)
    {
        var query = $"/api/audit?action={action}&limit=200" + (actor is null ? "" : $"&actor={actor}");
        return (await _admin.GetFromJsonAsync<JsonObject>(query))!["items"]!.AsArray();
    }

    [Fact]
    public async Task LoginsUserChangesKeysAndLogouts_AreAudited()
    {
        var name = "aud-" + Guid.NewGuid().ToString("N")[..10];
        const string password = "audited password 1";
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/users", new { name, password, roles = ViewerRole })).StatusCode);
        var anonymous = factory.AnonymousClient();
        await anonymous.PostAsJsonAsync("/api/auth/login", new { username = name, password = "not the password" });
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { username = name, password });
        var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
        var user = factory.AnonymousClient();
        user.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.NoContent, (await user.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsJsonAsync($"/api/users/{name}", new { roles = AnalystRole })).StatusCode);
        var key = (await (await _admin.PostAsJsonAsync("/api/api-keys", new { name = "audit-bot", roles = ViewerRole })).Content.ReadFromJsonAsync<JsonObject>())!;
        var keyId = (string)key["view"]!["id"]!;
        await _admin.DeleteAsync($"/api/api-keys/{keyId}");
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/users/{name}")).StatusCode);

        Assert.Contains(await EntriesAsync(AuditActions.UserCreated, "admin"), e => (string?)e!["target"] == name);
        Assert.Contains(await EntriesAsync(AuditActions.LoginFailed, name), e => (string?)e!["outcome"] != null);
        Assert.Single(await EntriesAsync(AuditActions.Login, name));
        Assert.Single(await EntriesAsync(AuditActions.Logout, name));
        var updated = Assert.Single(await EntriesAsync(AuditActions.UserUpdated, "admin"), e => (string?)e!["target"] == name)!;
        Assert.Contains("analyst", (string?)updated["detail"], StringComparison.Ordinal);
        Assert.Contains(await EntriesAsync(AuditActions.ApiKeyCreated, "admin"), e => (string?)e!["target"] == keyId);
        Assert.Contains(await EntriesAsync(AuditActions.ApiKeyRevoked, "admin"), e => (string?)e!["target"] == keyId);
        Assert.Contains(await EntriesAsync(AuditActions.UserDeleted, "admin"), e => (string?)e!["target"] == name);

        // No password, token or key ever lands in the log.
        var all = await _admin.GetStringAsync("/api/audit?limit=200");
        Assert.DoesNotContain(password, all, StringComparison.Ordinal);
        Assert.DoesNotContain(token, all, StringComparison.Ordinal);
        Assert.DoesNotContain((string)key["key"]!, all, StringComparison.Ordinal);
    }
}
