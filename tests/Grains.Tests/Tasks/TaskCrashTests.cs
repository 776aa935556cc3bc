using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>
/// The crash promise on real storage: PostgreSQL grain state and reminders, two silos. Kill the
/// silo running a task; its agent's reminder brings it back on the other silo, which runs it again
/// with the same idempotency key, and the effect is recorded once.
/// </summary>
public sealed class TaskCrashTests : PostgresCrashTest
{
    protected override string Schema =>
        "CREATE TABLE effects (effect_key text PRIMARY KEY, attempt int NOT NULL);" +
        "CREATE TABLE executions (task_id text NOT NULL, attempt int NOT NULL, silo text NOT NULL);";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:WatchdogInterval"] = "00:00:02",
        ["Tasks:RetryBaseDelay"] = "00:00:00.050",
    };

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSkill<EffectSkill>(SkillRegistry.AnyCapability);

    [Fact]
    public async Task KillingTheSiloRunningATask_RunsItOnTheOtherSilo_AndTheEffectHappensOnce()
    {
        var client = Client;
        await client.GetGrain<IAgentGrain>("crash-agent").RegisterAsync(
            new AgentSpec("crash", null, ["work"], 1, new Dictionary<string, string>()));
        const string key = "order-42";
        var taskId = TaskRules.IdForIdempotencyKey("tester", key);
        var accepted = await client.GetGrain<ITaskGrain>(taskId).SubmitAsync(new TaskSubmission(
            "crash-agent", null, EffectSkill.SkillName, "{}", TaskPriority.Default, TimeSpan.FromMinutes(5), null, 3, key, "tester"));
        Assert.False(accepted.Existing);

        // Wait until the first attempt has done its effect and is still running.
        await WaitUntilAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM executions") == 1);
        var firstSilo = await Db.ScalarAsync<string>("SELECT silo FROM executions");
        var victim = Cluster.GetActiveSilos().Single(s => s.SiloAddress.ToParsableString() == firstSilo);
        await Cluster.KillSiloAsync(victim);

        // Nobody calls the task now: only its agent's watchdog reminder can bring it back.
        await WaitUntilAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM executions") == 2, TimeSpan.FromSeconds(90));
        var done = await WaitForFinishAsync(client.GetGrain<ITaskGrain>(taskId));
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(AttemptOutcome.Lost, done.Attempts[0].Outcome);
        Assert.Equal(AttemptOutcome.Succeeded, done.Attempts[^1].Outcome);
        Assert.NotEqual(firstSilo, done.Attempts[^1].Silo);

        Assert.Equal(2L, await Db.ScalarAsync<long>("SELECT count(*) FROM executions"));
        Assert.Equal(1L, await Db.ScalarAsync<long>($"SELECT count(*) FROM effects WHERE effect_key = '{key}'"));
        Assert.Equal(1, await Db.ScalarAsync<int>("SELECT attempt FROM effects"));

        // The slot is freed last, after the finished task's follow-ups (task log, trust, sinks).
        await WaitUntilAsync(async () => await client.GetGrain<IAgentGrain>("crash-agent").GetLoadAsync() is { Running: 0, Queued: 0 });
    }

    private static async Task<TaskView> WaitForFinishAsync(ITaskGrain task)
    {
        TaskView? view = null;
        await WaitUntilAsync(async () =>
        {
            view = await task.GetAsync();
            return view is not null && TaskRules.IsFinished(view.State);
        }, TimeSpan.FromSeconds(90));
        return view!;
    }

    /// <summary>
    /// Records every execution, and its effect once per effect key (INSERT ... ON CONFLICT DO NOTHING,
    /// the de-duplication a real skill does with the key). The first attempt then hangs until killed.
    /// </summary>
    private sealed class EffectSkill(Microsoft.Extensions.Configuration.IConfiguration configuration, ILocalSiloDetails silo) : ISkill
    {
        public const string SkillName = "test.effect";

        public string Name => SkillName;

        public string Description => "Test skill with a database effect";

        public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

        public IReadOnlyList<string> Validate(JsonElement input) => [];

        public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(configuration["CrashTest:Postgres"]);
            await connection.OpenAsync(cancellationToken);
            await using (var effect = new NpgsqlCommand(
                "INSERT INTO effects VALUES (@key, @attempt) ON CONFLICT (effect_key) DO NOTHING;" +
                "INSERT INTO executions VALUES (@task, @attempt, @silo);", connection))
            {
                effect.Parameters.AddWithValue("key", context.EffectKey);
                effect.Parameters.AddWithValue("attempt", context.Attempt);
                effect.Parameters.AddWithValue("task", context.TaskId);
                effect.Parameters.AddWithValue("silo", silo.SiloAddress.ToParsableString());
                await effect.ExecuteNonQueryAsync(cancellationToken);
            }

            if (context.Attempt == 1)
            {
                await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
            }

            return JsonSerializer.SerializeToElement(new { context.Attempt });
        }
    }
}
