using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansAgents.Worker;

namespace OrleansAgents.Tests;

/// <summary>The .NET worker library (Agents.Worker) against the embedded API, authenticated by a worker key.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class AgentWorkerLibraryTests(ApiFactory factory)
{
    private static readonly string[] Work = ["work"];
    private static readonly string[] NoRoles = [];

    private readonly HttpClient _admin = factory.CreateClient();

    private async Task<(string Agent, string Key)> ExternalAgentWithKeyAsync()
    {
        var id = "lib-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/agents", new { id, name = "lib", capabilities = Work, maxConcurrentTasks = 16, kind = "external" })).StatusCode);
        var created = await _admin.PostAsJsonAsync("/api/api-keys", new { name = "lib-worker", roles = NoRoles, agents = new[] { id } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (id, (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!);
    }

    private async Task<IHost> StartWorkerAsync(string agent, string key, double leaseSeconds, WorkerHandler echo)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAgentWorker(o =>
        {
            o.BaseAddress = new Uri("http://localhost/");
            o.ApiKey = key;
            o.AgentId = agent;
            o.WaitSeconds = 2;
            o.LeaseSeconds = leaseSeconds;
        }).Handle("echo", echo).HttpClient.ConfigurePrimaryHttpMessageHandler(() => factory.Server.CreateHandler());
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private async Task<string> SubmitAsync(string agent, object input)
    {
        var response = await _admin.PostAsJsonAsync($"/api/agents/{agent}/tasks", new { skill = "echo", input });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private Task<JsonObject> TaskAsync(string id) => _admin.GetFromJsonAsync<JsonObject>($"/api/tasks/{id}")!;

    [Fact]
    public async Task Worker_RunsTheHandler_AndResultsAndProgressLand()
    {
        var (agent, key) = await ExternalAgentWithKeyAsync();
        using var host = await StartWorkerAsync(agent, key, 30, (task, progress, _) =>
        {
            progress.Report(new WorkerProgress("doubling", 50));
            return Task.FromResult(JsonSerializer.SerializeToElement(new { doubled = task.Input.GetProperty("n").GetInt32() * 2 }));
        });

        var ids = new List<string>();
        for (var n = 0; n < 5; n++)
        {
            ids.Add(await SubmitAsync(agent, new { n }));
        }

        for (var n = 0; n < 5; n++)
        {
            var done = await Eventually.HoldsAsync(() => TaskAsync(ids[n]), t => (string?)t["state"] == "succeeded", $"task {n} succeeded");
            Assert.Equal(n * 2, (int)done["result"]!["doubled"]!);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task CancellingTheTask_CancelsTheRunningHandler()
    {
        var (agent, key) = await ExternalAgentWithKeyAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A 3 s lease is renewed every second: the renewal after the cancel answers 409 task.cancelled.
        using var host = await StartWorkerAsync(agent, key, 3, async (_, _, ct) =>
        {
            started.TrySetResult();
            await using var registration = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return default;
        });

        var id = await SubmitAsync(agent, 1);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/tasks/{id}/cancel", null)).StatusCode);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", (string?)(await TaskAsync(id))["state"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task AWorkerThatDies_LosesItsLease_AndTheNextWorkersResultStands()
    {
        var (agent, key) = await ExternalAgentWithKeyAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await StartWorkerAsync(agent, key, 2, async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return JsonSerializer.SerializeToElement("first");
        });
        var id = await SubmitAsync(agent, 1);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        first.Dispose();

        using var second = await StartWorkerAsync(agent, key, 30, (_, _, _) => Task.FromResult(JsonSerializer.SerializeToElement("second")));
        var done = await Eventually.HoldsAsync(() => TaskAsync(id), t => (string?)t["state"] == "succeeded", "the second worker's result");
        Assert.Equal("second", (string?)done["result"]);
        Assert.Equal("lost", (string?)done["attempts"]![0]!["outcome"]);
        Assert.Equal(2, done["attempts"]!.AsArray().Count);
        await second.StopAsync();
    }
}
