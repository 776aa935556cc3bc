using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Swarms;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// One PSO run on 30-D rastrigin, as the grain fan-out (coordinator + particle-batch grains in an
/// in-process silo with in-memory storage) and as the in-process reference loop, same spec and
/// seed, alternating, median of --repeat runs each. Prints wall times, the ratio, and whether the
/// two results are bit-identical. Options: --swarm N (40), --iterations N (2000), --repeat N (15),
/// --per-batch N (Swarms:ParticlesPerBatch, 20), --dimensions N (30).
/// </summary>
internal static class SwarmsBench
{
    public static async Task<int> Main(string[] args)
    {
        var swarm = Arg(args, "--swarm", 40);
        var iterations = Arg(args, "--iterations", 2000);
        var repeat = Arg(args, "--repeat", 15);
        var perBatch = Arg(args, "--per-batch", 20);
        var dimensions = Arg(args, "--dimensions", 30);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Configuration["Swarms:ParticlesPerBatch"] = perBatch.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Swarms:MaxIterations"] = "10000000";
        builder.Configuration["Swarms:MaxEvaluations"] = "1000000000";
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort());
            foreach (var storage in StorageNames.All)
            {
                silo.AddMemoryGrainStorage(storage);
                silo.Services.UseOrleansBinaryStateFormat<MemoryGrainStorageOptions>(storage);
            }

            silo.UseInMemoryReminderService();
            silo.AddAgentsSilo();
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SwarmOptions>>().Value;
        var batches = SwarmLayout.Of(swarm, options).Count;

        var request = new OptimizationRequest("rastrigin", null, null, dimensions, null, swarm, iterations, 2026, null, null, null, null, null, "bench");
        Console.WriteLine($"Swarms bench: rastrigin {dimensions}-D, {swarm} particles, {iterations} iterations ({swarm * (iterations + 1L):N0} evaluations), " +
            $"{batches} batch grains, checkpoint every {options.CheckpointEvery} iterations, median of {repeat}, {Environment.ProcessorCount} cores.");

        var grainTimes = new List<double>();
        var loopTimes = new List<double>();
        OptimizationView? last = null;
        SwarmProgress? reference = null;
        for (var r = 0; r <= repeat; r++) // run 0 warms both paths up
        {
            var (view, grainSeconds) = await FanOutAsync(grains, request);
            var started = Stopwatch.GetTimestamp();
            var loop = ReferenceSwarm.Run(view.Spec, options.HistoryPoints);
            var loopSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (r > 0)
            {
                grainTimes.Add(grainSeconds);
                loopTimes.Add(loopSeconds);
            }

            (last, reference) = (view, loop);
        }

        var identical = BitConverter.DoubleToInt64Bits(last!.BestValue!.Value) == BitConverter.DoubleToInt64Bits(reference!.BestValue!.Value) &&
            last.BestPosition!.SequenceEqual(reference.BestPosition!);
        var grain = Median(grainTimes);
        var inProcess = Median(loopTimes);
        Console.WriteLine($"in-process loop : {inProcess * 1000:F1} ms ({iterations / inProcess:N0} iterations/s)");
        Console.WriteLine($"grain fan-out   : {grain * 1000:F1} ms ({iterations / grain:N0} iterations/s, {grain / iterations * 1e6:F0} µs per iteration)");
        Console.WriteLine($"best value {last.BestValue:G6}, identical to the reference: {(identical ? "yes" : "NO")}");
        Console.WriteLine($"ratio grain fan-out / in-process = {grain / inProcess:F2}x");
        await host.StopAsync();
        return identical ? 0 : 1;
    }

    private static async Task<(OptimizationView View, double Seconds)> FanOutAsync(IGrainFactory grains, OptimizationRequest request)
    {
        var grain = grains.GetGrain<IOptimizationGrain>(SwarmRules.NewId());
        var started = Stopwatch.GetTimestamp();
        var view = await grain.StartAsync(request);
        while (!SwarmRules.IsFinished(view.Status))
        {
            await Task.Delay(1);
            view = (await grain.GetAsync())!;
        }

        // The run's own timestamps exclude the polling granularity.
        var seconds = Math.Min(Stopwatch.GetElapsedTime(started).TotalSeconds, (view.FinishedAt!.Value - view.CreatedAt).TotalSeconds);
        return (view, seconds);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
