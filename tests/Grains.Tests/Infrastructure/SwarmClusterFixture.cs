using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Swarms;

/// <summary>
/// Two silos; swarms cut into batches of 10 particles (so a 40-particle swarm spans 4 batch grains
/// on both silos), a checkpoint every 5 iterations, a 1-second watchdog, and a paraboloid skill
/// whose evaluations a test can hold.
/// </summary>
public sealed class SwarmClusterFixture : RegistryClusterFixture
{
    public const int HistoryPoints = 20;
    public const string Capability = "math";

    public ParaboloidProbe Probe { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Swarms:ParticlesPerBatch"] = "10",
        ["Swarms:CheckpointEvery"] = "5",
        ["Swarms:HistoryPoints"] = HistoryPoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Swarms:WatchdogInterval"] = "00:00:01",
        ["Swarms:MaxDimensions"] = "50",
        ["Swarms:MaxSwarmSize"] = "200",
        ["Swarms:MaxIterations"] = "1000000",
        ["Swarms:MaxSkillEvaluations"] = "500",
        ["Swarms:MaxEvaluations"] = "100000000",
    };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton(Probe);
        silo.Services.AddSkill<ParaboloidSkill>(SkillRegistry.AnyCapability);
    }

    public static Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what) =>
        Eventually.HoldsAsync(read, condition, what);
}

/// <summary>Counts paraboloid evaluations and holds them, once <see cref="HoldAfter"/> have run, until the gate opens.</summary>
public sealed class ParaboloidProbe
{
    private int _calls;

    public int Calls => _calls;

    public int HoldAfter { get; set; } = int.MaxValue;

    public TaskCompletionSource Gate { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Held { get; set; }

    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) > HoldAfter)
        {
            Held++;
            await Gate.Task.WaitAsync(cancellationToken);
        }
    }

    public void Reset()
    {
        HoldAfter = int.MaxValue;
        Gate.TrySetResult();
        Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Held = 0;
    }
}

/// <summary>A real skill objective: <c>{"position": [...]}</c> in, <c>{"value": Σ (x - 1)²}</c> out.</summary>
public sealed class ParaboloidSkill(ParaboloidProbe probe) : ISkill
{
    public const string SkillName = "test.paraboloid";

    public string Name => SkillName;

    public string Description => "Test objective: sum of (x - 1)^2.";

    public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

    public static double Evaluate(ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += (v - 1) * (v - 1);
        }

        return sum;
    }

    public IReadOnlyList<string> Validate(JsonElement input) =>
        input.ValueKind == JsonValueKind.Object && input.TryGetProperty("position", out var p) && p.ValueKind == JsonValueKind.Array ? [] : ["position is required."];

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        await probe.EnterAsync(cancellationToken);
        double[] position = [.. context.Input.GetProperty("position").EnumerateArray().Select(e => e.GetDouble())];
        return JsonSerializer.SerializeToElement(new { value = Evaluate(position) });
    }
}
