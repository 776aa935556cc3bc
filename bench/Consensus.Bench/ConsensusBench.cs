using System.Diagnostics;
using System.Globalization;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// Latency of a consensus round over N agents (echo skill, majority): IConsensusRoundGrain.StartAsync
/// then WaitAsync until decided, one round at a time, next to the latency of one echo task
/// (ITaskGrain submit until finished) measured in the same run as its peer. One process: the API
/// in its embedded mode (in-process silo, in-memory storage). Swarm ratings and network edges
/// of each round are recorded as in production.
/// Options: --rounds N (200), --agents N (25), --warmup N (20).
/// </summary>
internal static class ConsensusBench
{
    private const string Capability = "bench-consensus";

    public static async Task<int> Main(string[] args)
    {
        var rounds = Arg(args, "--rounds", 200);
        var agents = Arg(args, "--agents", 25);
        var warmup = Arg(args, "--warmup", 20);

        var app = EmbeddedApiHost.Build("consensus-bench", FreePort(), new Dictionary<string, string?>
        {
            ["Swarms:MaxConsensusAgents"] = agents.ToString(CultureInfo.InvariantCulture),
        });
        await app.StartAsync();

        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var agentIds = Enumerable.Range(0, agents).Select(i => $"bench-{i:00}").ToArray();
        foreach (var id in agentIds)
        {
            await grains.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("bench", null, [Capability], 64, new Dictionary<string, string>()));
        }

        Console.WriteLine($"Consensus bench: {rounds} rounds of {agents} agents (echo, majority, quorum {agents / 2 + 1}), one at a time, after {warmup} warm-up rounds; embedded silo, in-memory storage.");
        var request = new ConsensusRequest(Capability, "echo", "{\"n\":1}", agents, ConsensusAggregation.Majority, agents / 2 + 1, TimeSpan.FromSeconds(30), null, "bench");
        async Task RoundAsync()
        {
            var round = grains.GetGrain<IConsensusRoundGrain>(ConsensusRules.NewId());
            await round.StartAsync(request);
            var view = await round.WaitAsync(TimeSpan.FromSeconds(30));
            if (view?.Status != ConsensusStatus.Decided || view.AgreementRatio != 1)
            {
                throw new InvalidOperationException($"round {view?.Id} ended {view?.Status}");
            }
        }

        async Task TaskAsync()
        {
            var task = grains.GetGrain<ITaskGrain>(TaskRules.NewId());
            await task.SubmitAsync(new TaskSubmission(agentIds[0], null, "echo", "{\"n\":1}", TaskPriority.Default, null, null, null, null, "bench"));
            long after = 0;
            while (true)
            {
                var batch = await task.WaitForEventsAsync(after, TimeSpan.FromSeconds(30));
                if (batch.Finished)
                {
                    return;
                }

                after = batch.Events.Count > 0 ? batch.Events[^1].Sequence : after;
            }
        }

        await MeasureAsync("warm-up", RoundAsync, warmup);
        await MeasureAsync("warm-up", TaskAsync, warmup);
        var single = await MeasureAsync("one echo task (ITaskGrain, submit until finished)", TaskAsync, rounds);
        var consensus = await MeasureAsync($"consensus round over {agents} agents (start until decided)", RoundAsync, rounds);

        Console.WriteLine();
        Console.WriteLine($"ratio consensus round / one task, p50: {consensus.P50 / single.P50:0.0}x   p99: {consensus.P99 / single.P99:0.0}x");
        await app.StopAsync();
        return 0;
    }

    private sealed record Result(double P50, double P99);

    private static async Task<Result> MeasureAsync(string name, Func<Task> call, int count)
    {
        var latencies = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        if (name == "warm-up")
        {
            return new Result(0, 0);
        }

        Array.Sort(latencies);
        var result = new Result(Percentile(latencies, 0.50), Percentile(latencies, 0.99));
        Console.WriteLine($"{name}: n={count}  p50 {result.P50:0.00} ms  p90 {Percentile(latencies, 0.90):0.00} ms  p99 {result.P99:0.00} ms  max {latencies[^1]:0.00} ms  ({count / total.Elapsed.TotalSeconds:0.0}/s)");
        return result;
    }
}
