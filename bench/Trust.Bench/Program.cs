using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;
using OrleansAgents.Bench;

// Global trust (EigenTrust) as the grain fan-out versus the in-memory reference, same run, one
// in-process silo with in-memory storage.
//   dotnet run -c Release --project bench/Trust.Bench                 compare at 1,000 and 10,000 agents
//   dotnet run -c Release --project bench/Trust.Bench -- simulate     threat model B (30 % colluders)
// Options: --agents N[,N...] (compare: 1000,10000; simulate: 1000), --ratings N (20), --runs N (5),
// --seed N (1), --colluders F (0.3), --error F (0.02), --partitions N (4), --batch N (256).
var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "compare";
var preTrusted = Enumerable.Range(0, 3).Select(TrustSimulation.AgentId).ToArray();
var parameters = new EigenTrustParameters(0.15, 1e-6, 100);

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Trust:PreTrusted:0"] = preTrusted[0],
    ["Trust:PreTrusted:1"] = preTrusted[1],
    ["Trust:PreTrusted:2"] = preTrusted[2],
    ["Trust:Partitions"] = Arg("--partitions", "4"),
    ["Trust:BatchSize"] = Arg("--batch", "256"),
    ["Jobs:trust.recompute:Enabled"] = "false",
    ["Jobs:agents.health-sweep:Enabled"] = "false",
});
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(FreePort(), FreePort());
    foreach (var storage in StorageNames.All)
    {
        silo.AddMemoryGrainStorage(storage);
        silo.Services.UseOrleansBinaryStateFormat<Orleans.Configuration.MemoryGrainStorageOptions>(storage);
    }

    silo.UseInMemoryReminderService();
    silo.AddAgentsSilo();
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

// Result check: the fan-out agrees with the reference, and the collective stays under its cap.
var ok = mode == "simulate" ? await SimulateAsync() : await CompareAsync();
await host.StopAsync();
return ok ? 0 : 1;

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

async Task<bool> CompareAsync()
{
    var ok = true;
    var ratingsPerAgent = int.Parse(Arg("--ratings", "20"), CultureInfo.InvariantCulture);
    var runs = int.Parse(Arg("--runs", "5"), CultureInfo.InvariantCulture);
    Console.WriteLine($"EigenTrust a={parameters.Alpha} eps={parameters.Epsilon} max={parameters.MaxIterations}, ~{ratingsPerAgent} ratings per agent, " +
        $"partitions={Arg("--partitions", "4")} batch={Arg("--batch", "256")}, {Environment.ProcessorCount} cores, median of {runs} runs after one warm-up");
    Console.WriteLine("agents  ratings  iterations  reference ms  fan-out ms  ratio  max |diff|  arrays ms  fan-out/arrays  per-agent design ms (est.)");
    foreach (var agents in Arg("--agents", "1000,10000").Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture)))
    {
        var domain = $"bench-{agents}";
        var ratings = TrustSimulation.RandomGraph(agents, ratingsPerAgent, int.Parse(Arg("--seed", "1"), CultureInfo.InvariantCulture));
        await RecordAsync(domain, ratings);
        var rows = TrustSimulation.Rows(ratings);
        var peers = TrustSimulation.Peers(ratings, preTrusted);
        var preTrustedSet = new HashSet<string>(preTrusted.Append(TrustRules.UsersPeer), StringComparer.Ordinal);
        var coordinator = grains.GetGrain<ITrustCoordinatorGrain>(domain);

        EigenTrustResult reference = null!;
        TrustRecomputeStatus fanOut = null!;
        var referenceMs = new List<double>();
        var fanOutMs = new List<double>();
        var arraysMs = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var watch = Stopwatch.StartNew();
            reference = EigenTrust.Reference(rows, peers, preTrustedSet, parameters);
            var r = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            fanOut = await coordinator.RecomputeAsync();
            var f = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            ArrayEigenTrust.Compute(rows, peers, preTrustedSet, parameters, out _);
            var a = watch.Elapsed.TotalMilliseconds;
            if (fanOut.Phase != TrustRecomputePhase.Succeeded)
            {
                throw new InvalidOperationException(fanOut.Error);
            }

            if (run > 0)
            {
                referenceMs.Add(r);
                fanOutMs.Add(f);
                arraysMs.Add(a);
            }
        }

        var snapshot = (await coordinator.GetSnapshotAsync(0))!;
        var maxDiff = snapshot.Peers.Select((p, i) => Math.Abs(reference.Trust[p] - snapshot.Trust[i])).Max();
        var (rm, fm, am) = (Median(referenceMs), Median(fanOutMs), Median(arraysMs));
        var perAgent = await PerAgentPassMsAsync(domain, peers) * fanOut.Iteration;
        Console.WriteLine($"{agents,6}  {ratings.Count,7}  {fanOut.Iteration,10}  {rm,12:F1}  {fm,10:F1}  {fm / rm,4:F2}x  {maxDiff:E1}  {am,9:F1}  {fm / am,13:F2}x  {perAgent,10:F1}");
        if (!(maxDiff <= 1e-4))
        {
            Console.Error.WriteLine($"FAILED: the fan-out differs from the reference by {maxDiff:E1} at {agents} agents");
            ok = false;
        }
    }

    return ok;
}

// What one call to every agent's row grain costs (bounded batches, as the partitions load rows),
// times the iterations: a lower bound for a design that calls each agent's grain per iteration.
async Task<double> PerAgentPassMsAsync(string domain, List<string> peers)
{
    var batch = int.Parse(Arg("--batch", "256"), CultureInfo.InvariantCulture);
    var times = new List<double>();
    for (var run = 0; run < 3; run++)
    {
        var watch = Stopwatch.StartNew();
        foreach (var chunk in peers.Chunk(batch))
        {
            await Task.WhenAll(chunk.Select(p => grains.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, p)).GetRowAsync().AsTask()));
        }

        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    return Median(times);
}

async Task<bool> SimulateAsync()
{
    var agents = int.Parse(Arg("--agents", "1000"), CultureInfo.InvariantCulture);
    var share = double.Parse(Arg("--colluders", "0.3"), CultureInfo.InvariantCulture);
    var error = double.Parse(Arg("--error", "0.02"), CultureInfo.InvariantCulture);
    var seed = int.Parse(Arg("--seed", "1"), CultureInfo.InvariantCulture);
    var (ratings, colluders) = TrustSimulation.ThreatModelB(agents, int.Parse(Arg("--ratings", "20"), CultureInfo.InvariantCulture), share, seed, error);
    var domain = "threat-b";
    await RecordAsync(domain, ratings);
    var status = await grains.GetGrain<ITrustCoordinatorGrain>(domain).RecomputeAsync();
    var snapshot = (await grains.GetGrain<ITrustCoordinatorGrain>(domain).GetSnapshotAsync(0))!;
    var collective = snapshot.Peers.Select((p, i) => colluders.Contains(p) ? snapshot.Trust[i] : 0).Sum();
    var open = EigenTrust.Reference(TrustSimulation.Rows(ratings), snapshot.Peers, new HashSet<string>(), parameters);
    Console.WriteLine($"Threat model B: {agents} agents, {colluders.Count} colluders ({share:P0}), honest raters misjudge a colluder {error:P0} of the time, seed {seed}, " +
        $"pre-trusted {string.Join(", ", preTrusted)}");
    Console.WriteLine($"grain fan-out: {status.Iteration} iterations, residual {status.Residual:E1}");
    Console.WriteLine($"collective's share of global trust: {collective:P2} (limit 10 %) {(collective <= 0.10 ? "PASS" : "FAIL")}");
    Console.WriteLine($"for contrast, with p uniform over all peers (no pre-trusted): {colluders.Sum(c => open.Trust[c]):P2}");
    return collective <= 0.10;
}

async Task RecordAsync(string domain, List<TrustRating> ratings)
{
    var recorder = grains.GetGrain<ITrustRecorderGrain>(domain);
    // Whole rows per call (a rater's ratings are contiguous), a few calls in flight.
    using var gate = new SemaphoreSlim(8);
    await Task.WhenAll(ratings.Chunk(500).Select(async chunk =>
    {
        await gate.WaitAsync();
        try
        {
            await recorder.RecordAsync(chunk);
        }
        finally
        {
            gate.Release();
        }
    }));
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
