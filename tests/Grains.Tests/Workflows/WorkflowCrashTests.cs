using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;
using static OrleansAgents.Tests.Workflows.WorkflowTestKit;

namespace OrleansAgents.Tests.Workflows;

/// <summary>
/// The durability promise on real storage (PostgreSQL state and reminders, two silos): kill the
/// silo hosting a run halfway through a 5-step workflow. The run resumes on the other silo from
/// its last checkpoint and succeeds; every step's effect, keyed by its idempotency key, is
/// recorded exactly once, and the steps completed before the crash never run again.
/// </summary>
public sealed class WorkflowCrashTests : PostgresCrashTest
{
    protected override string Schema =>
        "CREATE TABLE wf_effects (effect_key text PRIMARY KEY, step text NOT NULL);" +
        "CREATE TABLE wf_executions (step text NOT NULL, attempt int NOT NULL, silo text NOT NULL);" +
        "CREATE TABLE wf_release (released boolean NOT NULL);";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:WatchdogInterval"] = "00:00:02",
        ["Tasks:RetryBaseDelay"] = "00:00:00.050",
        ["Workflows:ResumeInterval"] = "00:00:01",
        ["Workflows:SubmitRetryDelay"] = "00:00:00.200",
    };

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSkill<StepEffectSkill>(SkillRegistry.AnyCapability);

    [Fact]
    public async Task KillingTheSiloHostingARun_ResumesItElsewhere_AndEveryStepTakesEffectOnce()
    {
        var client = Client;
        await RegisterWorkerAsync(client, "crash-worker-1", slots: 4);
        await RegisterWorkerAsync(client, "crash-worker-2", slots: 4);
        string Input(string step, bool hold = false) => $$"""{"step":"{{step}}","hold":{{(hold ? "true" : "false")}}}""";
        var definition = Definition("Crash",
            Step("s1", Input("s1"), skill: StepEffectSkill.SkillName),
            Step("s2", Input("s2"), ["s1"], skill: StepEffectSkill.SkillName),
            Step("s3", Input("s3", hold: true), ["s1"], skill: StepEffectSkill.SkillName),
            Step("s4", Input("s4"), ["s2", "s3"], skill: StepEffectSkill.SkillName),
            Step("s5", Input("s5"), ["s4"], skill: StepEffectSkill.SkillName));
        var workflow = await ActiveAsync(client, "crash", definition);
        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));

        // Halfway: s1 and s2 done (checkpointed), s3 running and held.
        await WaitForAsync(client, run.RunId, v => v.Steps[1].Status == WorkflowStepStatus.Succeeded && v.Steps[2].Status == WorkflowStepStatus.Running);
        await WaitUntilAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM wf_executions WHERE step = 's3'") >= 1);
        await KillHostOfAsync(client.GetGrain<IWorkflowRunGrain>(run.RunId));
        await Db.ScalarAsync<long>("INSERT INTO wf_release VALUES (true) RETURNING 1::bigint");

        var done = await WaitForFinishAsync(client, run.RunId, TimeSpan.FromSeconds(90));
        Assert.Equal(WorkflowRunStatus.Succeeded, done.Status);
        Assert.All(done.Steps, s => Assert.Equal(WorkflowStepStatus.Succeeded, s.Status));

        foreach (var step in new[] { "s1", "s2", "s3", "s4", "s5" })
        {
            Assert.Equal(1L, await Db.ScalarAsync<long>($"SELECT count(*) FROM wf_effects WHERE effect_key = '{run.RunId}:{step}'"));
        }

        Assert.Equal(5L, await Db.ScalarAsync<long>("SELECT count(*) FROM wf_effects"));
        foreach (var step in new[] { "s1", "s2", "s4", "s5" })
        {
            // Completed before the crash (s1, s2) or after the resume (s4, s5): executed exactly once.
            Assert.Equal(1L, await Db.ScalarAsync<long>($"SELECT count(*) FROM wf_executions WHERE step = '{step}'"));
        }
    }

    /// <summary>
    /// Records each execution, and its effect once per effect key (the step's idempotency key);
    /// a held step waits until the test releases it.
    /// </summary>
    private sealed class StepEffectSkill(IConfiguration configuration, ILocalSiloDetails silo) : ISkill
    {
        public const string SkillName = "test.step-effect";

        public string Name => SkillName;

        public string Description => "Workflow crash test step";

        public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

        public IReadOnlyList<string> Validate(JsonElement input) => [];

        public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
        {
            var step = context.Input.GetProperty("step").GetString()!;
            await using var connection = new NpgsqlConnection(configuration["CrashTest:Postgres"]);
            await connection.OpenAsync(cancellationToken);
            await using (var effect = new NpgsqlCommand(
                "INSERT INTO wf_effects VALUES (@key, @step) ON CONFLICT (effect_key) DO NOTHING;" +
                "INSERT INTO wf_executions VALUES (@step, @attempt, @silo);", connection))
            {
                effect.Parameters.AddWithValue("key", context.EffectKey);
                effect.Parameters.AddWithValue("step", step);
                effect.Parameters.AddWithValue("attempt", context.Attempt);
                effect.Parameters.AddWithValue("silo", silo.SiloAddress.ToParsableString());
                await effect.ExecuteNonQueryAsync(cancellationToken);
            }

            if (context.Input.GetProperty("hold").GetBoolean())
            {
                await using var released = new NpgsqlCommand("SELECT count(*) FROM wf_release", connection);
                while ((long)(await released.ExecuteScalarAsync(cancellationToken))! == 0)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }

            return JsonSerializer.SerializeToElement(new { step, context.Attempt });
        }
    }
}
