using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// Finished echo tasks per second through external workers (HTTP long-poll lease in batches of
/// <c>max</c>, one HTTP complete per task) against the same tasks run by the silo's own echo skill,
/// measured in the same run. Both paths submit the same way (ITaskGrain.SubmitAsync, naming the
/// agent) and the clock stops when every task has finished, so the difference is the worker round
/// trips. One process: the API in its embedded mode (in-process silo, in-memory storage).
/// Options: --tasks N (3000), --submitters N (16), --workers N (8), --agents N (4), --max N (16),
/// --auth key|token (key: a worker key scoped to the agents, as docs/security.md advises; token: an
/// admin bearer token, which skips the key lookup and the scope check).
/// </summary>
internal static class WorkersBench
{
    public static async Task<int> Main(string[] args)
    {
        var tasks = Arg(args, "--tasks", 3000);
        var submitters = Arg(args, "--submitters", 16);
        var workers = Arg(args, "--workers", 8);
        var agents = Arg(args, "--agents", 4);
        var max = Arg(args, "--max", 16);
        var useKey = ArgText(args, "--auth", "key") == "key";

        var port = FreePort();
        var app = EmbeddedApiHost.Build("workers-bench", port);
        await app.StartAsync();

        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var inSilo = Enumerable.Range(0, agents).Select(i => $"silo-{i}").ToArray();
        var external = Enumerable.Range(0, agents).Select(i => $"ext-{i}").ToArray();
        foreach (var (id, kind) in inSilo.Select(a => (a, AgentKind.Hosted)).Concat(external.Select(a => (a, AgentKind.External))))
        {
            await grains.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("bench", null, ["bench"], 256, new Dictionary<string, string> { ["owner"] = "bench" }, kind));
        }

        var admin = app.Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>().Issue("bench", [OrleansAgents.Security.Roles.Admin], "user", null);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", admin.Token);
        if (useKey)
        {
            var created = await http.PostAsJsonAsync("/api/api-keys", new { name = "bench workers", roles = Array.Empty<string>(), agents = external });
            created.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = null;
            http.DefaultRequestHeaders.Add("X-Api-Key", (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!);
        }

        Console.WriteLine($"Workers bench: {tasks} echo tasks per path, {submitters} submitters, {agents} agents per path; " +
            $"external: {workers} workers, leases of max {max}, auth {(useKey ? "worker key" : "bearer token")}; embedded silo, in-memory storage.");

        // Warm-up: a tenth of the tasks through each path (JIT, grain activations, connections).
        await RunSiloAsync(grains, inSilo, Math.Max(10, tasks / 10), submitters);
        await RunExternalAsync(grains, http, external, Math.Max(10, tasks / 10), submitters, workers, max);

        var silo = await RunSiloAsync(grains, inSilo, tasks, submitters);
        Report("in-silo echo skill (grain submit, until finished)", silo);
        var worker = await RunExternalAsync(grains, http, external, tasks, submitters, workers, max);
        Report($"external workers (HTTP lease max {max} + complete)", worker);
        Console.WriteLine();
        Console.WriteLine($"ratio external workers / in-silo echo: {worker.PerSecond / silo.PerSecond:0.00}x");
        Console.WriteLine($"HTTP calls per task through workers: {(double)worker.Calls / tasks:0.00} (lease calls {worker.Calls - tasks})");
        await app.StopAsync();

        // Result check: every task of both paths finished, and the workers completed each exactly once.
        return silo.Finished == tasks && worker.Finished == tasks && worker.Rejected == 0 ? 0 : 1;
    }

    private sealed record Result(int Finished, TimeSpan Elapsed, long Calls = 0, long Rejected = 0)
    {
        public double PerSecond => Finished / Elapsed.TotalSeconds;
    }

    private static void Report(string name, Result r) =>
        Console.WriteLine($"{name,-52} {r.PerSecond,8:N0} tasks/s  ({r.Finished} tasks in {r.Elapsed.TotalSeconds:0.00} s)");

    private static async Task<Result> RunSiloAsync(IGrainFactory grains, string[] agents, int tasks, int submitters)
    {
        var clock = Stopwatch.StartNew();
        await SubmitAsync(grains, agents, tasks, submitters);
        await DrainAsync(grains, agents);
        return new Result(tasks, clock.Elapsed);
    }

    private static async Task<Result> RunExternalAsync(
        IGrainFactory grains, HttpClient http, string[] agents, int tasks, int submitters, int workers, int max)
    {
        long completed = 0, calls = 0, rejected = 0;
        using var done = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var working = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var agent = agents[w % agents.Length];
            while (!done.IsCancellationRequested)
            {
                HttpResponseMessage leased;
                try
                {
                    leased = await http.PostAsJsonAsync($"/api/agents/{agent}/leases", new { max, waitSeconds = 1 }, done.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Interlocked.Increment(ref calls);
                var body = leased.IsSuccessStatusCode ? await leased.Content.ReadFromJsonAsync<JsonObject>() : null;
                foreach (var task in body?["tasks"]?.AsArray() ?? [])
                {
                    var answer = await http.PostAsJsonAsync($"/api/tasks/{(string)task!["taskId"]!}/complete",
                        new { leaseToken = (string)task["leaseToken"]!, result = task["input"]?.DeepClone() });
                    Interlocked.Increment(ref calls);
                    if (answer.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref rejected);
                    }
                    else if (Interlocked.Increment(ref completed) == tasks)
                    {
                        await done.CancelAsync();
                    }
                }
            }
        })).ToArray();
        await SubmitAsync(grains, agents, tasks, submitters);
        await Task.WhenAll(working);
        var elapsed = clock.Elapsed;
        await DrainAsync(grains, agents);
        return new Result((int)Interlocked.Read(ref completed), elapsed, calls - rejected, rejected);
    }

    /// <summary>Closed-loop submitters, each naming the agents in turn, until <paramref name="tasks"/> are accepted.</summary>
    private static Task SubmitAsync(IGrainFactory grains, string[] agents, int tasks, int submitters)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, submitters).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < tasks)
            {
                await grains.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(new TaskSubmission(
                    agents[n % agents.Length], null, "echo", "{\"n\":1}", TaskPriority.Default, null, null, null, null, "bench"));
            }
        }));
    }

    private static async Task DrainAsync(IGrainFactory grains, string[] agents)
    {
        while (true)
        {
            var loads = await Task.WhenAll(agents.Select(a => grains.GetGrain<IAgentGrain>(a).GetLoadAsync().AsTask()));
            if (loads.All(l => l.Running == 0 && l.Queued == 0))
            {
                return;
            }

            await Task.Delay(20);
        }
    }
}
