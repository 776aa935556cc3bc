using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansAgents.Conversations;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Conversations;

/// <summary>
/// The conversation's crash promise on real storage (PostgreSQL state and reminders, two silos):
/// kill the silo hosting a conversation while its turn waits on a tool call; the turn resumes on
/// the other silo from its last checkpoint, the tool call that had finished is not run again
/// (its task id follows from the effect key), the one in flight has its effect once, and the turn
/// completes, driven by its reminder with nobody reading the conversation. The model is the repo's
/// scripted OpenAI-compatible server.
/// </summary>
public sealed class ConversationCrashTests : PostgresCrashTest, IAsyncLifetime
{
    private const string Agent = "crash-host";
    private ScriptedLlmServer _llm = null!;

    protected override string Schema =>
        "CREATE TABLE effects (effect_key text PRIMARY KEY, n int NOT NULL);" +
        "CREATE TABLE executions (n int NOT NULL, attempt int NOT NULL, silo text NOT NULL);";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Tasks:WatchdogInterval"] = "00:00:02",
        ["Tasks:RetryBaseDelay"] = "00:00:00.050",
        ["Skills:Llm:Providers:scripted:Endpoint"] = _llm.Endpoint,
        ["Skills:Llm:Providers:scripted:Model"] = "effects",
        ["Skills:Llm:Providers:scripted:RequestsPerMinute"] = "100000",
        ["Skills:Llm:Providers:scripted:TimeoutSeconds"] = "30",
    };

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSkill<EffectSkill>(SkillRegistry.AnyCapability);

    // The scripted server must be up before the silos read its endpoint from Settings.
    async Task IAsyncLifetime.InitializeAsync()
    {
        _llm = await ScriptedLlmServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _llm.DisposeAsync();
    }

    [Fact]
    public async Task KillingTheSiloHostingAConversationMidToolCall_ResumesTheTurn_WithoutRunningAFinishedToolAgain()
    {
        await Client.GetGrain<IAgentGrain>(Agent).RegisterAsync(new AgentSpec(
            "crash host", null, ["work"], 4, new Dictionary<string, string>(),
            Model: new AgentModel("scripted", "effects"), Tools: [EffectSkill.SkillName]));
        var conversation = Client.GetGrain<IConversationGrain>(ConversationRules.NewId());
        await conversation.CreateAsync(Agent, "tester");
        var turn = await conversation.PostMessageAsync("go");

        // Call 1 has finished and call 2 is in flight (it hangs on its first attempt).
        await WaitUntilAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM executions WHERE n = 2") == 1);
        Assert.Equal(1L, await Db.ScalarAsync<long>("SELECT count(*) FROM executions WHERE n = 1"));
        await KillHostOfAsync(conversation);

        // Nobody reads the conversation: its resume reminder alone must bring the turn back on the
        // surviving silo. Its completion is watched where it lands without activating the
        // conversation grain: the owner's usage of the day counts the turn once it is stored.
        var usage = Client.GetGrain<IAgentSpendGrain>(ConversationRules.UserUsageKey("tester", DateTimeOffset.UtcNow));
        await WaitUntilAsync(async () => (await usage.GetUsageAsync()).Turns == 1, TimeSpan.FromMinutes(4));

        var done = (await conversation.ListTurnsAsync(1, null)).Items.Single(t => t.Id == turn.Id);
        Assert.Equal(TurnState.Completed, done!.State);
        Assert.StartsWith("Effects: ", done.Reply, StringComparison.Ordinal);
        Assert.Equal(1L, await Db.ScalarAsync<long>("SELECT count(*) FROM executions WHERE n = 1"));
        Assert.Equal(2L, await Db.ScalarAsync<long>("SELECT count(*) FROM effects"));
    }

    /// <summary>Records every execution and, once per effect key, its effect; call n = 2 hangs on its first attempt.</summary>
    private sealed class EffectSkill(Microsoft.Extensions.Configuration.IConfiguration configuration, ILocalSiloDetails silo) : ISkill
    {
        public const string SkillName = "test.effect";

        public string Name => SkillName;

        public string Description => "Test skill with a database effect";

        public JsonObject InputSchema { get; } = new()
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["n"] = new JsonObject { ["type"] = "integer" } },
        };

        public IReadOnlyList<string> Validate(JsonElement input) => [];

        public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
        {
            var n = context.Input.GetProperty("n").GetInt32();
            await using var connection = new NpgsqlConnection(configuration["CrashTest:Postgres"]);
            await connection.OpenAsync(cancellationToken);
            await using (var effect = new NpgsqlCommand(
                "INSERT INTO effects VALUES (@key, @n) ON CONFLICT (effect_key) DO NOTHING;" +
                "INSERT INTO executions VALUES (@n, @attempt, @silo);", connection))
            {
                effect.Parameters.AddWithValue("key", context.EffectKey);
                effect.Parameters.AddWithValue("n", n);
                effect.Parameters.AddWithValue("attempt", context.Attempt);
                effect.Parameters.AddWithValue("silo", silo.SiloAddress.ToParsableString());
                await effect.ExecuteNonQueryAsync(cancellationToken);
            }

            if (n == 2 && context.Attempt == 1)
            {
                // Long enough for the kill and the resume; short enough that a task on the surviving silo finishes.
                await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
            }

            return JsonSerializer.SerializeToElement(new { n, context.Attempt });
        }
    }
}
