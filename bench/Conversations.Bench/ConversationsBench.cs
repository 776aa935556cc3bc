using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using OrleansAgents.Grains.Skills.Llm;
using OrleansAgents.Tests;
using static OrleansAgents.Bench.BenchArgs;

namespace OrleansAgents.Bench;

/// <summary>
/// What the cluster adds to a hosted agent's turn, and what an idle conversation costs in memory.
/// Overhead: one-turn conversations of a hosted agent (grain, ChatClientAgent, checkpoints, event
/// log, usage records) against calling the same scripted OpenAI-compatible server directly with
/// the same streaming IChatClient (the silo's own, from LlmClients), one call at a time, printed
/// as a ratio of mean latencies. Memory: the managed heap after a full GC, before and after
/// opening --conversations conversations with one finished turn each, divided by their count.
/// One process: the API in embedded mode (in-process silo, in-memory storage).
/// Options: --turns N (200), --warmup N (20), --conversations N (1000), --concurrency N (8, for opening them).
/// </summary>
internal static class ConversationsBench
{
    private const string Provider = "bench";
    private const string Owner = "bench";

    public static async Task<int> Main(string[] args)
    {
        var turns = Arg(args, "--turns", 200);
        var warmup = Arg(args, "--warmup", 20);
        var conversations = Arg(args, "--conversations", 1000);
        var concurrency = Arg(args, "--concurrency", 8);

        await using var llm = await ScriptedLlmServer.StartAsync();
        var app = EmbeddedApiHost.Build("conversations-bench", FreePort(), new Dictionary<string, string?>
        {
            ["RateLimiting:Tiers:bench:AiTokensPerDay"] = "1000000000",
            [$"Skills:Llm:Providers:{Provider}:Endpoint"] = llm.Endpoint,
            [$"Skills:Llm:Providers:{Provider}:Model"] = "plain",
            [$"Skills:Llm:Providers:{Provider}:RequestsPerMinute"] = "100000000",
            [$"Skills:Llm:Providers:{Provider}:TimeoutSeconds"] = "30",
            ["Conversations:MaxQueuedTurns"] = "8",
        });
        await app.StartAsync();

        var grains = app.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IAgentGrain>("bench-agent").RegisterAsync(new AgentSpec(
            "bench", null, ["chat"], 64, new Dictionary<string, string>(), Model: new AgentModel(Provider, "plain")));
        var chat = app.Services.GetRequiredService<LlmClients>().Get(Provider, "plain");
        Console.WriteLine($"Conversations bench: {turns} turns per path after {warmup} warm-up, one at a time; {conversations} idle conversations; " +
            $"embedded silo, in-memory storage, scripted model 'plain' on 127.0.0.1. Load average: {LoadAverage()}.");

        async Task<bool> DirectAsync()
        {
            var text = new System.Text.StringBuilder();
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hello")]))
            {
                text.Append(update.Text);
            }

            return text.Length > 0;
        }

        async Task<bool> TurnAsync() => await OneTurnAsync(grains) == TurnState.Completed;

        await MeasureAsync("warm-up", DirectAsync, warmup);
        await MeasureAsync("warm-up", TurnAsync, warmup);
        var direct = await MeasureAsync("IChatClient streaming call, direct", DirectAsync, turns);
        var cluster = await MeasureAsync("conversation turn through the cluster", TurnAsync, turns);
        Console.WriteLine($"ratio cluster turn / direct call (mean latency): {cluster.Mean / direct.Mean:0.00}x  (overhead {cluster.Mean - direct.Mean:0.00} ms per turn)");

        var (perConversation, failed) = await IdleMemoryAsync(grains, llm, conversations, concurrency);
        Console.WriteLine($"memory per idle conversation (one finished turn): {perConversation / 1024:0.0} KiB  ({perConversation * 1000 / 1024 / 1024:0.0} MiB per 1,000; {failed} turns not completed)");

        await app.StopAsync();
        // Result check: every call and every turn succeeded, and the figures are real numbers.
        return direct.Failed == 0 && cluster.Failed == 0 && failed == 0 && direct.Mean > 0 && double.IsFinite(cluster.Mean / direct.Mean) && perConversation > 0 ? 0 : 1;
    }

    private sealed record Result(double Mean, double P50, double P99, long Failed);

    /// <summary>A new conversation with one message, until its turn has finished (the event log goes idle).</summary>
    private static async Task<TurnState> OneTurnAsync(IGrainFactory grains)
    {
        var conversation = grains.GetGrain<IConversationGrain>(ConversationRules.NewId());
        await conversation.CreateAsync("bench-agent", Owner);
        var turn = await conversation.PostMessageAsync("hello");
        var after = 0L;
        while (true)
        {
            var batch = await conversation.WaitForEventsAsync(after, TimeSpan.FromSeconds(10));
            after = batch.Events.Count > 0 ? batch.Events[^1].Sequence : after;
            if (batch.Idle)
            {
                return (await conversation.ListTurnsAsync(1, (int.Parse(turn.Id, CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture))).Items[0].State;
            }
        }
    }

    private static async Task<Result> MeasureAsync(string name, Func<Task<bool>> call, int count)
    {
        var latencies = new double[count];
        long failed = 0;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            if (!await call())
            {
                failed++;
            }

            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(latencies);
        var result = new Result(latencies.Average(), Percentile(latencies, 0.50), Percentile(latencies, 0.99), failed);
        if (name != "warm-up")
        {
            Console.WriteLine($"{name,-40} mean {result.Mean:0.000} ms  p50 {result.P50:0.000} ms  p99 {result.P99:0.000} ms  failed {failed}");
        }

        return result;
    }

    /// <summary>
    /// Heap bytes per conversation kept open (activated, idle) with one finished turn: its grain,
    /// state (session JSON, turn, event log) and the in-memory storage provider's copy of that state.
    /// </summary>
    private static async Task<(double PerConversation, long Failed)> IdleMemoryAsync(IGrainFactory grains, ScriptedLlmServer llm, int count, int concurrency)
    {
        llm.Requests.Clear();
        var before = Heap();
        long failed = 0, next = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                if (await OneTurnAsync(grains) != TurnState.Completed)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        llm.Requests.Clear(); // the scripted server keeps every request: not the cluster's memory
        var after = Heap();
        Console.WriteLine($"managed heap before {before / 1024.0 / 1024:0.0} MiB, after {count} conversations {after / 1024.0 / 1024:0.0} MiB");
        return ((after - before) / (double)count, failed);
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
