using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Swarms;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Swarms;

/// <summary>
/// A consensus round on real storage (PostgreSQL state and reminders, two silos): kill the silo
/// hosting the round while its agents are still answering. The round comes back on the other silo
/// (its reminder, or the first finishing task's report), collects the answers from the tasks, and decides.
/// </summary>
public sealed class ConsensusCrashTests : PostgresCrashTest
{
    protected override string Schema =>
        "CREATE TABLE votes (task_id text NOT NULL, attempt int NOT NULL);" +
        "CREATE TABLE vote_release (released boolean NOT NULL);";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tasks:WatchdogInterval"] = "00:00:02",
        ["Tasks:RetryBaseDelay"] = "00:00:00.050",
        ["Swarms:ConsensusReminderInterval"] = "00:00:01",
    };

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSkill<HeldVoteSkill>(SkillRegistry.AnyCapability);

    [Fact]
    public async Task KillingTheSiloHostingARound_ItStillDecides_FromItsAgentsAnswers()
    {
        var client = Client;
        foreach (var id in new[] { "voter-1", "voter-2", "voter-3" })
        {
            await client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec(id, null, ["vote"], 2, new Dictionary<string, string>()));
        }

        var roundId = ConsensusRules.NewId();
        var round = client.GetGrain<IConsensusRoundGrain>(roundId);
        var started = await round.StartAsync(new ConsensusRequest("vote", HeldVoteSkill.SkillName, """{"question":"6*7"}""", 3,
            ConsensusAggregation.Majority, 2, TimeSpan.FromMinutes(2), null, "tester"));
        Assert.Equal(ConsensusStatus.Running, started.Status);

        // Every agent is working on its answer (held) when the round's silo dies.
        await WaitUntilAsync(async () => await Db.ScalarAsync<long>("SELECT count(DISTINCT task_id) FROM votes") == 3);
        await KillHostOfAsync(round);
        await Db.ScalarAsync<long>("INSERT INTO vote_release VALUES (true) RETURNING 1::bigint");

        ConsensusRoundView? decided = null;
        await WaitUntilAsync(async () => (decided = await round.GetAsync())?.Status != ConsensusStatus.Running, TimeSpan.FromSeconds(90));

        Assert.Equal(ConsensusStatus.Decided, decided!.Status);
        Assert.Equal(42, JsonDocument.Parse(decided.AnswerJson!).RootElement.GetProperty("answer").GetInt32());
        Assert.Equal(1.0, decided.AgreementRatio);
        Assert.All(decided.Participants, p => Assert.Equal(ConsensusParticipantState.Answered, p.State));
    }

    /// <summary>Records that it started, waits until the test releases it, then answers 42.</summary>
    private sealed class HeldVoteSkill(IConfiguration configuration) : ISkill
    {
        public const string SkillName = "test.held-vote";

        public string Name => SkillName;

        public string Description => "Consensus crash test vote";

        public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

        public IReadOnlyList<string> Validate(JsonElement input) => [];

        public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(configuration["CrashTest:Postgres"]);
            await connection.OpenAsync(cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO votes VALUES (@task, @attempt)", connection))
            {
                record.Parameters.AddWithValue("task", context.TaskId);
                record.Parameters.AddWithValue("attempt", context.Attempt);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var released = new NpgsqlCommand("SELECT count(*) FROM vote_release", connection);
            while ((long)(await released.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                await Task.Delay(100, cancellationToken);
            }

            return JsonSerializer.SerializeToElement(new { answer = 42 });
        }
    }
}
