using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansAgents.Api.Security;
using OrleansAgents.Security;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed partial class SecurityTests(ApiFactory factory)
{
    private static readonly string[] ViewerRole = [Roles.Viewer];
    private static readonly string[] UnknownRole = ["emperor"];
    private static readonly string[] DeveloperRole = [Roles.Developer];
    private static readonly string[] AnalystRole = [Roles.Analyst];

    private readonly HttpClient _admin = factory.CreateClient();

    private IReadOnlyList<RouteEndpoint> ApiEndpoints() =>
        [.. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)];

    [Fact]
    public void EveryApiEndpoint_DeclaresItsPermission()
    {
        var undeclared = ApiEndpoints()
            .Where(e => e.Metadata.GetMetadata<RequiredPermissionAttribute>() is null && e.Metadata.GetMetadata<PublicEndpointAttribute>() is null)
            .Select(e => e.DisplayName)
            .ToList();
        Assert.True(ApiEndpoints().Count > 30, "the endpoint list looks incomplete");
        Assert.Empty(undeclared);
        Assert.All(ApiEndpoints().Select(e => e.Metadata.GetMetadata<RequiredPermissionAttribute>()?.Permission).OfType<string>(),
            p => Assert.Contains(p, Permissions.All));
    }

    [Fact]
    public async Task RoleMatrix_EveryRoleGetsExactlyWhatTheTableGrants_AndAnonymousGets401()
    {
        var failures = new List<string>();
        foreach (var endpoint in ApiEndpoints())
        {
            var permission = endpoint.Metadata.GetMetadata<RequiredPermissionAttribute>();
            if (permission is null)
            {
                continue; // public (login, refresh)
            }

            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0];
            var path = RouteParameter().Replace(endpoint.RoutePattern.RawText!, "matrix-x");

            using (var anonymous = await SendAsync(factory.AnonymousClient(), method, path))
            {
                if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"anonymous {method} {path}: {(int)anonymous.StatusCode}");
                }
            }

            foreach (var role in Roles.All)
            {
                using var response = await SendAsync(factory.ClientFor("matrix-" + role, role), method, path);
                var allowed = permission.Permission is null || Roles.Grants[role].Contains(permission.Permission);
                var status = response.StatusCode;
                if (allowed ? status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized : status != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{role} {method} {path} ({permission.Permission ?? "authenticated"}): {(int)status}");
                }
            }
        }

        Assert.Empty(failures);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        // SSE endpoints answer only once the task ends: headers are enough here.
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Forbidden_IsAProblemNamingThePermission()
    {
        using var viewer = factory.ClientFor("a-viewer", Roles.Viewer);
        var response = await viewer.PostAsJsonAsync("/api/agents", new { id = "x", name = "x" });
        await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Contains("agent:create", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ProblemAssert.IsAsync(await factory.AnonymousClient().GetAsync("/api/agents"), HttpStatusCode.Unauthorized, "auth.required");
    }

    [Fact]
    public async Task BadTokens_AreRejected()
    {
        var handler = new JsonWebTokenHandler();
        string Token(string issuer = "orleans-agents", string audience = "orleans-agents-api", string key = ApiFactory.SigningKey, string kid = "test-1",
            DateTime? expires = null) => handler.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = audience,
                IssuedAt = DateTime.UtcNow.AddHours(-2),
                NotBefore = DateTime.UtcNow.AddHours(-2),
                Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
                Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["roles"] = new[] { Roles.Admin }, ["jti"] = Guid.NewGuid().ToString("N") },
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) { KeyId = kid }, SecurityAlgorithms.HmacSha256),
            });

        Assert.Equal(HttpStatusCode.OK, (await GetWith(Token())).StatusCode); // the control: a good token works

        var good = Token();
        var parts = good.Split('.');
        var tampered = parts[0] + "." + Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[1]).Replace("mallory", "mallorz", StringComparison.Ordinal)) + "." + parts[2];
        var none = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
        foreach (var (name, token) in new[]
        {
            ("tampered", tampered),
            ("expired", Token(expires: DateTime.UtcNow.AddMinutes(-5))),
            ("wrong issuer", Token(issuer: "someone-else")),
            ("wrong audience", Token(audience: "another-api")),
            ("wrong key", Token(key: "another-signing-key-0123456789abcdef-01234567", kid: "test-1")),
            ("unknown key id", Token(kid: "nope")),
            ("alg none", none),
            ("garbage", "not-a-jwt"),
        })
        {
            var response = await GetWith(token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {(int)response.StatusCode}");
            await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized, "auth.invalid_token");
        }
    }

    private Task<HttpResponseMessage> GetWith(string token)
    {
        var client = factory.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.GetAsync("/api/agents?limit=1");
    }

    private async Task<JsonObject> LoginAsync(string user, string password, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await factory.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { username = user, password });
        Assert.True(expected == response.StatusCode, $"login {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<string> CreateUserAsync(string role, string password = "correct horse battery")
    {
        var name = "u-" + Guid.NewGuid().ToString("N")[..10];
        var response = await _admin.PostAsJsonAsync("/api/users", new { name, password, roles = new[] { role } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    [Fact]
    public async Task BootstrapAdmin_LogsIn_AndTheTokenWorks_UntilLogout()
    {
        var tokens = await LoginAsync("admin", ApiFactory.AdminPassword);
        Assert.Equal("Bearer", (string?)tokens["tokenType"]);
        Assert.Contains("user:create", tokens["permissions"]!.AsArray().Select(p => (string?)p));

        var client = factory.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (string)tokens["accessToken"]!);
        var me = (await client.GetFromJsonAsync<JsonObject>("/api/auth/me"))!;
        Assert.Equal("admin", (string?)me["subject"]);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);
        await ProblemAssert.IsAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized, "auth.invalid_token");
        var refreshAfterLogout = await factory.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = (string)tokens["refreshToken"]! });
        Assert.Equal(HttpStatusCode.Unauthorized, refreshAfterLogout.StatusCode);
    }

    [Fact]
    public async Task RefreshRotates_AndReusingAnOldTokenRevokesTheWholeFamily()
    {
        var user = await CreateUserAsync(Roles.Developer);
        var first = await LoginAsync(user, "correct horse battery");
        var anonymous = factory.AnonymousClient();

        var rotated = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = (string)first["refreshToken"]! });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual((string?)first["refreshToken"], (string?)second["refreshToken"]);

        var reuse = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = (string)first["refreshToken"]! });
        await ProblemAssert.IsAsync(reuse, HttpStatusCode.Unauthorized, "auth.refresh_token_reused");
        var newest = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = (string)second["refreshToken"]! });
        await ProblemAssert.IsAsync(newest, HttpStatusCode.Unauthorized, "auth.invalid_refresh_token"); // the family is revoked
    }

    [Fact]
    public async Task Users_AreManagedByAdmins_WithValidation()
    {
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/users", new { name = "Bad Name", password = "long enough password", roles = ViewerRole }),
            HttpStatusCode.BadRequest, "user.invalid_name");
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/users", new { name = "short-pw", password = "short", roles = ViewerRole }),
            HttpStatusCode.BadRequest, "user.weak_password");
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/users", new { name = "bad-role", password = "long enough password", roles = UnknownRole }),
            HttpStatusCode.BadRequest, "user.invalid_role");

        var user = await CreateUserAsync(Roles.Viewer);
        await ProblemAssert.IsAsync(await _admin.PostAsJsonAsync("/api/users", new { name = user, password = "long enough password", roles = ViewerRole }),
            HttpStatusCode.Conflict, "user.exists");
        var read = (await _admin.GetFromJsonAsync<JsonObject>($"/api/users/{user}"))!;
        Assert.Null(read["password"]);
        Assert.DoesNotContain("correct horse", read.ToJsonString(), StringComparison.Ordinal);

        var updated = await _admin.PutAsJsonAsync($"/api/users/{user}", new { roles = DeveloperRole, disabled = true });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        await ProblemAssert.IsAsync(await factory.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { username = user, password = "correct horse battery" }),
            HttpStatusCode.Unauthorized, "auth.invalid_credentials");

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/users/{user}")).StatusCode);
        await ProblemAssert.IsAsync(await _admin.GetAsync($"/api/users/{user}"), HttpStatusCode.NotFound, "user.not_found");
    }

    [Fact]
    public async Task ApiKeys_ListPagesByLimit_AndRefuseABadLimit()
    {
        // Other tests create keys in this fixture too: the pages are checked for this test's two keys only.
        var mine = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var created = await _admin.PostAsJsonAsync("/api/api-keys", new { name = $"pager-{i}", roles = ViewerRole });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            mine.Add((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["view"]!["id"]!);
        }

        mine.Sort(StringComparer.Ordinal);
        var before = mine[0][..^1] + (char)(mine[0][^1] - 1); // sorts just before the first of mine
        var first = (await _admin.GetFromJsonAsync<JsonObject>($"/api/api-keys?limit=1&cursor={before}"))!;
        Assert.Equal(mine[0], (string?)Assert.Single(first["items"]!.AsArray())!["id"]);
        var cursor = (string?)first["nextCursor"];
        Assert.Equal(mine[0], cursor);

        var next = (await _admin.GetFromJsonAsync<JsonObject>($"/api/api-keys?limit=1&cursor={cursor}"))!;
        var following = (string?)Assert.Single(next["items"]!.AsArray())!["id"];
        Assert.True(string.CompareOrdinal(following, mine[0]) > 0 && string.CompareOrdinal(following, mine[1]) <= 0, $"{following} after {mine[0]}");

        var all = (await _admin.GetFromJsonAsync<JsonObject>("/api/api-keys"))!;
        Assert.Contains(mine[1], all["items"]!.AsArray().Select(k => (string?)k!["id"]));

        foreach (var limit in new[] { "0", "201", "ten", "-1" })
        {
            await ProblemAssert.IsAsync(await _admin.GetAsync($"/api/api-keys?limit={limit}"), HttpStatusCode.BadRequest, "request.invalid_limit");
        }
    }

    [Fact]
    public async Task ApiKeys_AuthenticateMachineClients_UntilRevoked()
    {
        var created = await _admin.PostAsJsonAsync("/api/api-keys", new { name = "ci-bot", roles = AnalystRole });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var key = (string)body["key"]!;
        var id = (string)body["view"]!["id"]!;

        var machine = factory.AnonymousClient();
        machine.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/agents?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await machine.PostAsJsonAsync("/api/agents", new { id = "x" })).StatusCode);

        var listed = await _admin.GetStringAsync("/api/api-keys");
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await _admin.DeleteAsync($"/api/api-keys/{id}")).StatusCode);
        await ProblemAssert.IsAsync(await machine.GetAsync("/api/agents?limit=1"), HttpStatusCode.Unauthorized, "auth.invalid_token");

        var wrong = factory.AnonymousClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", key[..^2] + "xx");
        await ProblemAssert.IsAsync(await wrong.GetAsync("/api/agents"), HttpStatusCode.Unauthorized, "auth.invalid_token");
    }

    [GeneratedRegex(@"\{\*{0,2}\w+(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
