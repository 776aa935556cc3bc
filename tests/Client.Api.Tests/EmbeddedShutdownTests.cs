using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansAgents.Tests;

/// <summary>
/// Stopping the embedded API (Ctrl+C on <c>dotnet run</c>) after agents ran tasks: the in-memory storage
/// goes with the process, so nothing may try to write to it on the way out and log errors about it.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class EmbeddedShutdownTests(ApiFactory factory)
{
    private static readonly string[] Capabilities = ["s"];

    [Fact]
    public async Task StoppingAfterTasksRan_LogsNoStorageErrors()
    {
        var logs = new LogCapture();
        var app = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer",
            app.Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>().Issue("admin", [OrleansAgents.Security.Roles.Admin], "user", null).Token);
        var agent = "shutdown-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/agents", new { id = agent, name = "s", capabilities = Capabilities })).StatusCode);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var submitted = await admin.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = new { n = i } });
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            ids.Add((string)(await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        }

        foreach (var id in ids)
        {
            await Eventually.HoldsAsync(
                async () => (string?)(await admin.GetFromJsonAsync<JsonObject>($"/api/tasks/{id}"))!["state"] == "succeeded",
                $"task {id} to succeed");
        }

        // The agent freed its slots without storing its queue (its deactivation would); now stop.
        await app.DisposeAsync();

        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Line).ToList();
        Assert.True(errors.Count == 0, "errors logged while stopping:\n" + string.Join("\n", errors.Take(5)));
    }
}
