using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace OrleansAgents.Tests;

/// <summary>
/// Runs the API with canary values in every secret (signing key, admin password, an LLM provider's
/// API key, a connection string), exercises logins, failures and a task that calls the provider,
/// and searches every log line (at Trace level), every response and /metrics for the canary.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class CanarySecretTests(ApiFactory factory)
{
    private const string Canary = "canary7f3a9cd15e";
    private static readonly string[] LlmCapability = ["llm"];
    private static readonly string[] LogCategories = ["Default", "Orleans", "Polly", "ModelContextProtocol", "Microsoft.AspNetCore"];

    [Fact]
    public async Task Secrets_NeverAppearInLogsProblemsOrMetrics()
    {
        var logs = new LogCapture();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Security:SigningKeys:0:Key", Canary + "-signing-key-padding-0123456789");
            b.UseSetting("Security:BootstrapAdminPassword", "admin-" + Canary);
            b.UseSetting("Skills:Llm:DefaultProvider", "canary");
            b.UseSetting("Skills:Llm:Providers:canary:Endpoint", "http://127.0.0.1:9/v1");
            b.UseSetting("Skills:Llm:Providers:canary:Model", "m");
            b.UseSetting("Skills:Llm:Providers:canary:ApiKey", "sk-" + Canary);
            b.UseSetting("ConnectionStrings:Postgres", "Host=127.0.0.1;Password=" + Canary);
            // Every category at Trace, including those appsettings.json quiets (Orleans, Polly, MCP,
            // ASP.NET Core): the search must see every line a secret could leak into.
            foreach (var category in LogCategories)
            {
                b.UseSetting($"Logging:LogLevel:{category}", "Trace");
            }

            b.ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        });
        var seen = new List<string>();
        var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = null;

        async Task<HttpResponseMessage> Keep(Task<HttpResponseMessage> call)
        {
            var response = await call;
            seen.Add(await response.Content.ReadAsStringAsync());
            return response;
        }

        await Keep(anonymous.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = "wrong-" + Canary }));
        var login = await Keep(anonymous.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = "admin-" + Canary }));
        var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var agent = "canary-" + Guid.NewGuid().ToString("N")[..8];
        await Keep(admin.PostAsJsonAsync("/api/agents", new { id = agent, name = "c", capabilities = LlmCapability }));
        var submitted = await Keep(admin.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "llm.chat", input = new { prompt = "hi" }, maxAttempts = 1 }));
        var id = (string)(await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await Eventually.HoldsAsync(
            async () => (string?)(await (await Keep(admin.GetAsync($"/api/tasks/{id}"))).Content.ReadFromJsonAsync<JsonObject>())!["finishedAt"] is not null,
            "the llm.chat task to finish");

        await Keep(admin.GetAsync("/api/audit?limit=200"));
        await Keep(ApiFactory.OnLocalPort(app, factory.ManagementPort).GetAsync("/metrics"));
        var bad = app.CreateClient();
        bad.DefaultRequestHeaders.Authorization = new("Bearer", token + "x");
        await Keep(bad.GetAsync("/api/agents"));
        await Keep(admin.GetAsync("/api/skills"));

        Assert.True(logs.Entries.Count > 100, "the log capture saw too little to prove anything");
        Assert.Contains(seen, s => s.Contains("llm", StringComparison.Ordinal)); // the task really reached the provider path
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Canary, StringComparison.Ordinal));
        Assert.DoesNotContain(seen, s => s.Contains(Canary, StringComparison.Ordinal));
    }
}
