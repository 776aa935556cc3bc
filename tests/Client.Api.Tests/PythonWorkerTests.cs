using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

/// <summary>examples/worker.py (standard library only) against the API on a real Kestrel port.</summary>
public sealed class PythonWorkerTests
{
    /// <summary>Inside the port range this project's tests may use by hand (9700-9799).</summary>
    private const int Port = 9701;

    private static readonly string[] Work = ["work"];

    [Fact]
    public async Task ExampleWorker_LeasesRunsAndCompletesTheAgentsTasks()
    {
        await using var factory = new ApiFactory();
        factory.UseKestrel(Port);
        factory.StartServer();
        using var http = factory.CreateClient();
        http.BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        // The worker's user registers the agent: only an agent's owner (or task:manage-any) leases its tasks.
        var token = factory.TokenFor("py-worker", OrleansAgents.Security.Roles.Developer);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var agent = "py-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/agents",
            new { id = agent, name = "python worker", capabilities = Work, kind = "external" })).StatusCode);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var submitted = await http.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input = new { n = i } });
            ids.Add((string)(await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        }

        var start = new ProcessStartInfo("python3", [Path.Combine(RepoRoot(), "examples", "worker.py"), agent])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["AGENTS_URL"] = $"http://127.0.0.1:{Port}";
        start.Environment["AGENTS_TOKEN"] = token;
        start.Environment["AGENTS_MAX_TASKS"] = "3";
        using var worker = Process.Start(start)!;
        var output = worker.StandardOutput.ReadToEndAsync();
        var errors = worker.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await worker.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        Assert.True(worker.ExitCode == 0, $"worker exited {worker.ExitCode}: {await output} {await errors}");
        for (var i = 0; i < ids.Count; i++)
        {
            var task = (await http.GetFromJsonAsync<JsonObject>($"/api/tasks/{ids[i]}"))!;
            Assert.True((string?)task["state"] == "succeeded", task.ToJsonString());
            Assert.Equal(i, (int)task["result"]!["n"]!);
            Assert.StartsWith("worker:", (string?)task["attempts"]![0]!["silo"], StringComparison.Ordinal);
        }

        Assert.Contains("event: progress", await http.GetStringAsync($"/api/tasks/{ids[0]}/events"), StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "examples", "worker.py")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("examples/worker.py not found above " + AppContext.BaseDirectory);
    }
}
