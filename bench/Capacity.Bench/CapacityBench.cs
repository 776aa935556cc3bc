using System.Diagnostics;
using System.Globalization;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// Memory per idle registered agent, for the capacity model in docs/operations.md: N agents are
/// registered in an embedded silo (in-memory storage) and stay activated, idle; the managed heap
/// and the process working set are read after a full collection before and after. The peer,
/// measured in the same run, is the same registrations held in a plain dictionary (the data
/// alone), so the ratio is what the grain, its activation and the registry index add.
/// Options: --agents N (10000), --batch N (200 registrations in flight).
/// </summary>
internal static class CapacityBench
{
    public static async Task<int> Main(string[] args)
    {
        var agents = Arg(args, "--agents", 10_000);
        var batch = Arg(args, "--batch", 200);

        // Idle activations are collected after Orleans' default collection age (15 min); a run is far shorter.
        var app = EmbeddedApiHost.Build("capacity-bench", FreePort());
        await app.StartAsync();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        Console.WriteLine($"Capacity bench: {agents:N0} idle agents (hosted, 1 capability, 8 slots), embedded silo, in-memory storage.");

        // Warm every path once, so JIT and first-use allocations are not counted per agent.
        await grains.GetGrain<IAgentGrain>("warm-up").RegisterAsync(Spec(0));
        var (heapBefore, setBefore) = Settle();

        var started = Stopwatch.StartNew();
        for (var i = 0; i < agents; i += batch)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(batch, agents - i))
                .Select(n => grains.GetGrain<IAgentGrain>(Id(n)).RegisterAsync(Spec(n))));
        }

        var registerSeconds = started.Elapsed.TotalSeconds;
        var (heapAfter, setAfter) = Settle();

        // Result check: every agent is there and idle.
        var sample = await Task.WhenAll(Enumerable.Range(0, Math.Min(agents, 50)).Select(n => grains.GetGrain<IAgentGrain>(Id(n * (agents / Math.Min(agents, 50)))).GetAsync().AsTask()));
        var ok = sample.All(v => v is not null);

        // The peer: the same specs in a dictionary.
        var (peerBefore, _) = Settle();
        var plain = new Dictionary<string, AgentSpec>(agents);
        for (var n = 0; n < agents; n++)
        {
            plain[Id(n)] = Spec(n);
        }

        var (peerAfter, _) = Settle();
        GC.KeepAlive(plain);

        var perAgent = (heapAfter - heapBefore) / (double)agents;
        var perAgentSet = (setAfter - setBefore) / (double)agents;
        var perSpec = (peerAfter - peerBefore) / (double)agents;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"registered {agents:N0} agents in {registerSeconds:0.0} s ({agents / registerSeconds:N0}/s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle agent (grain + registry):   managed heap {perAgent / 1024:0.00} KiB per agent, working set {perAgentSet / 1024:0.00} KiB per agent; {perAgent * 10_000 / 1024 / 1024:0.0} MiB heap per 10k agents"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"the same registrations in a dictionary: {perSpec / 1024:0.00} KiB per agent"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio idle agent / plain registration: {perAgent / perSpec:0.0}x"));
        await app.StopAsync();
        return ok && perAgent > 0 ? 0 : 1;
    }

    private static string Id(int n) => $"idle-{n:00000}";

    private static AgentSpec Spec(int n) =>
        new($"idle agent {n}", "an agent that waits", ["capacity"], 8, new Dictionary<string, string> { ["owner"] = "bench" });

    private static (long Heap, long WorkingSet) Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
