using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Workflows;
using OrleansAgents.Silo.Hosting;
using OrleansAgents.Silo.Storage;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// Completed runs per minute of a 5-step diamond workflow (a → b, c, d → e; echo skill) on one
/// silo whose grain state, reminders and read model are in PostgreSQL, against the same silo with
/// in-memory storage measured in the same run (the ratio is the price of durable checkpoints),
/// plus the checkpoint write (a run's state write) p50/p99 of each.
/// Options: --postgres CONN (required; bench/workflows.sh starts a throwaway PostgreSQL),
/// --seconds N (20), --warmup N (5), --concurrency N (16 runs in flight).
/// </summary>
internal static class WorkflowsBench
{
    public static async Task<int> Main(string[] args)
    {
        var postgres = Text(args, "--postgres") ?? throw new ArgumentException("--postgres CONNECTION-STRING is required (bench/workflows.sh passes one).");
        var seconds = Arg(args, "--seconds", 20);
        var warmup = Arg(args, "--warmup", 5);
        var concurrency = Arg(args, "--concurrency", 16);
        await SchemaMigrator.ApplyAsync(postgres);

        Console.WriteLine($"Workflows bench: 5-step diamond (echo), {concurrency} runs in flight, {warmup} s warm-up + {seconds} s per storage, one silo.");
        var durable = await MeasureAsync("PostgreSQL", postgres, seconds, warmup, concurrency);
        var memory = await MeasureAsync("in-memory", null, seconds, warmup, concurrency);
        Console.WriteLine();
        Console.WriteLine("| storage | runs/min | checkpoint p50 | checkpoint p99 | checkpoints/run |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var r in new[] { durable, memory })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.RunsPerMinute:N0} | {r.P50 * 1000:0.00} ms | {r.P99 * 1000:0.00} ms | {r.CheckpointsPerRun:0.0} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio PostgreSQL / in-memory: {durable.RunsPerMinute / memory.RunsPerMinute:0.00}x"));
        // Result check: runs finished on both storages.
        return durable.RunsPerMinute > 0 && memory.RunsPerMinute > 0 ? 0 : 1;
    }

    private sealed record class Result(string Name, double RunsPerMinute, double P50, double P99, double CheckpointsPerRun);

    private static async Task<Result> MeasureAsync(string name, string? postgres, int seconds, int warmup, int concurrency)
    {
        var checkpoints = new ConcurrentQueue<double>();
        var recording = false;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkflowMetrics.MeterName && instrument.Name == "checkpoint_seconds")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            if (Volatile.Read(ref recording))
            {
                checkpoints.Enqueue(value);
            }
        });
        listener.Start();

        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Error))
            .UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort(), serviceId: "workflows-bench-" + Guid.NewGuid().ToString("N")[..8], clusterId: "workflows-bench-" + name);
                if (postgres is null)
                {
                    foreach (var storage in StorageNames.All)
                    {
                        silo.AddMemoryGrainStorage(storage);
                        silo.Services.UseOrleansBinaryStateFormat<Orleans.Configuration.MemoryGrainStorageOptions>(storage);
                    }

                    silo.UseInMemoryReminderService();
                }
                else
                {
                    // What a durable silo stores in PostgreSQL, prepared statements included.
                    silo.UseAgentsPostgres(postgres);
                }

                silo.AddAgentsSilo();
            })
            .Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var capability = "bench";
        for (var i = 0; i < 4; i++)
        {
            var agent = grains.GetGrain<IAgentGrain>($"wf-bench-{name.ToLowerInvariant().Replace('-', '_')}-{i}");
            if (await agent.GetAsync() is null)
            {
                await agent.RegisterAsync(new AgentSpec("bench", null, [capability], 64, new Dictionary<string, string>()));
            }
        }

        var workflowId = "bench-diamond-" + Guid.NewGuid().ToString("N")[..8];
        WorkflowStep Step(string id, params string[] after) => new(id, capability, null, "echo", $$"""{"step":"{{id}}","after":{{after.Length}}}""", after, null, null, null, false);
        var workflow = grains.GetGrain<IWorkflowGrain>(workflowId);
        await workflow.CreateAsync(new WorkflowDefinition("Bench diamond", "benchmark", "{}",
            [Step("a"), Step("b", "a"), Step("c", "a"), Step("d", "a"), Step("e", "b", "c", "d")], null), "bench");
        await workflow.ValidateAsync("bench");
        await workflow.TransitionAsync(WorkflowStatus.Staged, "bench");
        await workflow.TransitionAsync(WorkflowStatus.Active, "bench");

        async Task RunOnceAsync()
        {
            var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "bench", null));
            var grain = grains.GetGrain<IWorkflowRunGrain>(run.RunId);
            long after = 0;
            while (true)
            {
                var batch = await grain.WaitForEventsAsync(after, TimeSpan.FromSeconds(10));
                if (batch.Finished)
                {
                    break;
                }

                after = batch.Events.Count > 0 ? batch.Events[^1].Sequence : after;
            }
        }

        async Task<long> LoadAsync(TimeSpan duration)
        {
            var stop = Stopwatch.StartNew();
            long completed = 0;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (stop.Elapsed < duration)
                {
                    await RunOnceAsync();
                    Interlocked.Increment(ref completed);
                }
            }));
            return completed;
        }

        await LoadAsync(TimeSpan.FromSeconds(warmup));
        // PostgreSQL's counters, settled after the warm-up and after the measured runs (the follow-ups
        // of the last tasks land after their runs finish), tell what a run writes.
        var counters = postgres is null ? null : new PgCounters(postgres);
        var before = counters is null ? null : await counters.SettledAsync(TimeSpan.FromSeconds(1));
        Volatile.Write(ref recording, true);
        var clock = Stopwatch.StartNew();
        var runs = await LoadAsync(TimeSpan.FromSeconds(seconds));
        var elapsed = clock.Elapsed;
        Volatile.Write(ref recording, false);
        if (counters is not null)
        {
            var after = await counters.SettledAsync(TimeSpan.FromSeconds(2));
            var perRun = (double)Math.Max(1, runs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {(after.Rows - before!.Rows) / perRun:0.0} row writes per run, {(after.Commits - before.Commits) / perRun:0.0} commits per run, WAL {(after.WalBytes - before.WalBytes) / perRun / 1024:0.0} KiB per run; by table: ") +
                string.Join(", ", PgCounters.Delta(before, after).Take(6).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Table} {t.Writes / perRun:0.0}"))));
        }

        await host.StopAsync();

        var sorted = checkpoints.Order().ToArray();
        var result = new Result(name, runs / elapsed.TotalMinutes, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Length / (double)Math.Max(1, runs));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {runs} runs in {elapsed.TotalSeconds:0.0} s, {sorted.Length} checkpoints"));
        return result;
    }
}
