using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Bench;

// Durable task throughput in the production shape, driven from outside over HTTP (bench/cluster.sh
// starts PostgreSQL, Redis, two silos and the API in client mode, then runs this): registers
// agents, offers echo tasks through POST /api/tasks at a fixed rate, then closed-loop for a while,
// and prints accepted/s, finished/s end to end, submit latency and PostgreSQL writes per task.
// Options: --api URL --password P --postgres CONN [--user admin] [--agents 12] [--slots 8]
//   [--tasks 4000] [--rate 800] [--closed-seconds 15] [--concurrency 32] [--delay-ms 250]
//   [--settle 11] [--warmup-seconds 20] [--smoke] (--smoke: 60 tasks at 30/s, 2 s closed loop, 2 s settle, no warm-up)
// The warm-up (a closed loop whose figures are printed but not compared) lets tiered JIT finish:
// a minute into a cold run, perf still showed 12-27 % of a silo's CPU compiling.
var smoke = args.Contains("--smoke");
string Text(string name, string? fallback = null) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1]
    : fallback ?? throw new ArgumentException($"{name} is required (bench/cluster.sh passes it).");
int Int(string name, int normal, int small) => int.Parse(Text(name, (smoke ? small : normal).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var api = new Uri(Text("--api"));
var agents = Int("--agents", 12, 12);
var slots = Int("--slots", 8, 8);
var tasks = Int("--tasks", 4000, 60);
var rate = Int("--rate", 800, 30);
var closedSeconds = Int("--closed-seconds", 15, 2);
var concurrency = Int("--concurrency", 32, 8);
var delayMs = Int("--delay-ms", 250, 250);
var settle = TimeSpan.FromSeconds(Int("--settle", 11, 2));
var warmup = TimeSpan.FromSeconds(Int("--warmup-seconds", 20, 0));
var pg = new PgCounters(Text("--postgres"));

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
var login = await http.PostAsJsonAsync("/api/auth/login", new { username = Text("--user", "admin"), password = Text("--password") });
login.EnsureSuccessStatusCode();
var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
http.DefaultRequestHeaders.Authorization = new("Bearer", token);

var capability = "bench-" + Guid.NewGuid().ToString("N")[..8];
var agentIds = Enumerable.Range(0, agents).Select(i => $"{capability}-{i}").ToArray();
foreach (var id in agentIds)
{
    var registered = await http.PostAsJsonAsync("/api/agents", new { id, name = id, capabilities = new[] { capability }, maxConcurrentTasks = slots });
    if (registered.StatusCode != HttpStatusCode.Created)
    {
        throw new InvalidOperationException($"registering {id}: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
    }
}

Console.WriteLine($"Cluster bench: 2 silos + API (client mode, rate limiting off) on PostgreSQL + Redis; {agents} agents x {slots} slots, " +
    $"echo delayMs {delayMs}, {concurrency} client connections, {Environment.ProcessorCount} cores.");
var body = new { capability, skill = "echo", input = new { delayMs } };
var failures = new List<string>();
using var heartbeats = new CancellationTokenSource();
var beating = HeartbeatAsync(heartbeats.Token);

var loads = new Loads(http, body, agentIds);
if (warmup > TimeSpan.Zero)
{
    var warm = await loads.ClosedLoopAsync($"warm-up (not compared): {concurrency} callers for {warmup.TotalSeconds:0} s", warmup, concurrency);
    Console.WriteLine(warm);
}

var baseline = await pg.SettledAsync(settle);
var fixedRate = await loads.FixedRateAsync($"fixed rate: {tasks:N0} tasks offered at {rate}/s", tasks, rate, concurrency);
var afterFixed = await pg.SettledAsync(settle);
Report(fixedRate, baseline, afterFixed);
var closed = await loads.ClosedLoopAsync($"closed loop: {concurrency} callers for {closedSeconds} s", TimeSpan.FromSeconds(closedSeconds), concurrency);
var afterClosed = await pg.SettledAsync(settle);
Report(closed, afterFixed, afterClosed);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ratio finished / offered (fixed rate): {fixedRate.Accepted / fixedRate.FinishSeconds / rate:0.00}x; closed-loop max / fixed rate finished: {closed.Accepted / closed.FinishSeconds / (fixedRate.Accepted / fixedRate.FinishSeconds):0.00}x"));

// Result check: everything offered was accepted, and a sample of tasks really finished.
foreach (var phase in new[] { fixedRate, closed })
{
    if (phase.Accepted == 0 || phase.Rejected > 0)
    {
        failures.Add($"{phase.Name}: {phase.Accepted} accepted, {phase.Rejected} rejected ({phase.FirstError})");
    }
}

foreach (var id in loads.Sample(20))
{
    var task = await http.GetFromJsonAsync<JsonObject>($"/api/tasks/{id}");
    if ((string?)task?["state"] != "succeeded")
    {
        failures.Add($"task {id} is {(string?)task?["state"]}, not succeeded");
    }
}

await heartbeats.CancelAsync();
await beating;
foreach (var failure in failures)
{
    Console.Error.WriteLine("FAILED: " + failure);
}

return failures.Count == 0 ? 0 : 1;

void Report(Loads.Phase phase, PgCounters.Snapshot before, PgCounters.Snapshot after)
{
    Console.WriteLine(phase);
    var rows = after.Rows - before.Rows;
    var commits = after.Commits - before.Commits;
    var wal = after.WalBytes - before.WalBytes;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  PostgreSQL: {rows:N0} row writes ({(double)rows / Math.Max(1, phase.Accepted):0.0} per task), {commits:N0} commits ({(double)commits / Math.Max(1, phase.Accepted):0.0} per task), " +
        $"WAL {wal / 1048576.0:N1} MiB ({wal / 1024.0 / Math.Max(1, phase.Accepted):N1} KiB per task); by table: ") +
        string.Join(", ", PgCounters.Delta(before, after).Take(6).Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{t.Table} {(double)t.Writes / Math.Max(1, phase.Accepted):0.0}"))));
}

// Registered agents are healthy for HeartbeatTimeout (60 s) after their last heartbeat.
async Task HeartbeatAsync(CancellationToken stop)
{
    try
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(20), stop);
            foreach (var id in agentIds)
            {
                await http.PostAsJsonAsync($"/api/agents/{id}/heartbeat", new { }, stop);
            }
        }
    }
    catch (OperationCanceledException)
    {
    }
}
