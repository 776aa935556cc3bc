using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// Tasks per second, end to end (accepted and finished), with the echo skill: through
/// POST /api/tasks and through ITaskGrain directly, each against a no-op minimal-API endpoint
/// measured in the same run as the ceiling. One process: the API in its embedded mode
/// (in-process silo, in-memory storage), so the figures are the task system's own cost.
/// Options: --seconds N (10), --warmup N (5), --concurrency N (32), --agents N (8),
/// --direct (the grain path names an agent instead of routing by capability).
/// </summary>
internal static class TasksBench
{
    private const string Capability = "bench";

    public static async Task<int> Main(string[] args)
    {
        var seconds = Arg(args, "--seconds", 10);
        var warmup = Arg(args, "--warmup", 5);
        var concurrency = Arg(args, "--concurrency", 32);
        var agents = Arg(args, "--agents", 8);

        var port = FreePort();
        var app = EmbeddedApiHost.Build("tasks-bench", port);
        app.MapPost("/noop", (TaskRequestShape body) => TypedResults.Accepted("/noop", new { id = "t_noop", state = "queued", body.Skill }));
        await app.StartAsync();

        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var agentIds = Enumerable.Range(0, agents).Select(i => $"bench-{i}").ToArray();
        foreach (var id in agentIds)
        {
            await grains.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("bench", null, [Capability], 64, new Dictionary<string, string>()));
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        // The task endpoints need a token (the no-op endpoint does not): a real one, from the API's issuer.
        var token = app.Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>().Issue("bench", [OrleansAgents.Security.Roles.Developer], "user", null);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token.Token);
        var body = new { capability = Capability, skill = "echo", input = new { n = 1 } };

        Console.WriteLine($"Tasks bench: {concurrency} concurrent callers, {agents} agents x 64 slots, {warmup} s warm-up + {seconds} s per path, embedded silo with in-memory storage.");

        // The ceiling is a bare minimal-API endpoint: no token, so no authentication work either.
        using var bare = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = http.BaseAddress };
        async Task<bool> NoopAsync() => (await bare.PostAsJsonAsync("/noop", body)).StatusCode == HttpStatusCode.Accepted;
        async Task<bool> HttpTaskAsync() => (await http.PostAsJsonAsync("/api/tasks", body)).StatusCode == HttpStatusCode.Accepted;
        var direct = args.Contains("--direct");
        var next = 0;
        async Task<bool> GrainTaskAsync()
        {
            var agent = direct ? agentIds[Interlocked.Increment(ref next) % agentIds.Length] : null;
            await grains.GetGrain<ITaskGrain>(TaskRules.NewId()).SubmitAsync(new TaskSubmission(
                agent, direct ? null : Capability, "echo", "{\"n\":1}", TaskPriority.Default, null, null, null, null, "bench"));
            return true;
        }

        // The same no-op with the bearer token the task calls carry: what authentication costs.
        async Task<bool> NoopWithTokenAsync() => (await http.PostAsJsonAsync("/noop", body)).StatusCode == HttpStatusCode.Accepted;

        await RunAsync("warm-up", NoopAsync, warmup, concurrency, null);
        var noop = await RunAsync("no-op endpoint (POST /noop)", NoopAsync, seconds, concurrency, null);
        var noopAuthenticated = await RunAsync("no-op endpoint, with a bearer token", NoopWithTokenAsync, seconds, concurrency, null);
        await RunAsync("warm-up", HttpTaskAsync, warmup, concurrency, () => DrainAsync(grains, agentIds));
        var viaHttp = await RunAsync("POST /api/tasks, echo, until finished", HttpTaskAsync, seconds, concurrency, () => DrainAsync(grains, agentIds));
        var viaGrain = await RunAsync("ITaskGrain.SubmitAsync, echo, until finished", GrainTaskAsync, seconds, concurrency, () => DrainAsync(grains, agentIds));

        Console.WriteLine();
        Console.WriteLine($"ratio POST /api/tasks / no-op endpoint:  {viaHttp.PerSecond / noop.PerSecond:0.00}x");
        Console.WriteLine($"ratio POST /api/tasks / no-op endpoint with a token:  {viaHttp.PerSecond / noopAuthenticated.PerSecond:0.00}x");
        Console.WriteLine($"ratio no-op with a token / bare no-op (authentication): {noopAuthenticated.PerSecond / noop.PerSecond:0.00}x");
        Console.WriteLine($"ratio grain API / no-op endpoint:        {viaGrain.PerSecond / noop.PerSecond:0.00}x");
        await app.StopAsync();
        // Result check: every task call was accepted (and, through the drain, finished).
        return new[] { noop, noopAuthenticated, viaHttp, viaGrain }.All(r => r.PerSecond > 0 && r.Rejected == 0) ? 0 : 1;
    }

    private sealed record TaskRequestShape(string? Capability, string? Skill, System.Text.Json.JsonElement? Input);

    private sealed record Result(double PerSecond, long Rejected = 0);

    /// <summary>Closed-loop callers for a fixed time; then, for tasks, the clock runs until every accepted task has finished.</summary>
    private static async Task<Result> RunAsync(string name, Func<Task<bool>> call, int seconds, int concurrency, Func<Task>? drain)
    {
        long ok = 0, failed = 0;
        var latencies = new List<double>[concurrency];
        var stop = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(100_000);
            while (stop.Elapsed < until)
            {
                var started = Stopwatch.GetTimestamp();
                var success = await call();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (success)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        var submitted = stop.Elapsed;
        if (drain is not null)
        {
            await drain();
        }

        var total = stop.Elapsed;
        if (name == "warm-up")
        {
            return new Result(0);
        }

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var perSecond = ok / total.TotalSeconds;
        Console.WriteLine($"{name,-48} {perSecond,10:N0}/s  (accepted {ok / submitted.TotalSeconds:N0}/s, rejected {failed}, drain {(total - submitted).TotalSeconds:0.0} s)  " +
            $"p50 {Percentile(all, 0.50):0.000} ms  p99 {Percentile(all, 0.99):0.000} ms  mean {all.Average():0.000} ms");
        return new Result(perSecond, failed);
    }

    private static async Task DrainAsync(IGrainFactory grains, string[] agentIds)
    {
        while (true)
        {
            var loads = await Task.WhenAll(agentIds.Select(a => grains.GetGrain<IAgentGrain>(a).GetLoadAsync().AsTask()));
            if (loads.All(l => l.Running == 0 && l.Queued == 0))
            {
                return;
            }

            await Task.Delay(20);
        }
    }
}
