using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Tests.Tasks;

/// <summary>Records which tasks ran, in order, and lets a test hold tasks until it releases them.</summary>
public sealed class SkillProbe
{
    public ConcurrentQueue<string> Started { get; } = new();

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public SemaphoreSlim Gate { get; } = new(0);
}

/// <summary>
/// Input: { "label": string, "transientFailures": n, "fatal": bool, "hold": bool, "ignoreCancel": bool, "sleepMs": n }.
/// Fails transiently the first n calls per task, fails for good when fatal, waits on the probe's
/// gate when hold, sleeps sleepMs (ignoring cancellation if asked).
/// </summary>
public sealed class ProbeSkill(SkillProbe probe) : ISkill
{
    public string Name => "test.probe";

    public string Description => "Test skill";

    public JsonObject InputSchema { get; } = new() { ["type"] = "object" };

    public IReadOnlyList<string> Validate(JsonElement input) =>
        input.ValueKind == JsonValueKind.Object ? [] : ["input must be an object."];

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var label = input.TryGetProperty("label", out var l) ? l.GetString()! : context.TaskId;
        var calls = probe.Calls.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1);
        probe.Started.Enqueue(label);
        if (input.TryGetProperty("hold", out var hold) && hold.GetBoolean())
        {
            await probe.Gate.WaitAsync(cancellationToken);
        }

        if (input.TryGetProperty("sleepMs", out var sleep))
        {
            var ignore = input.TryGetProperty("ignoreCancel", out var ic) && ic.GetBoolean();
            await Task.Delay(sleep.GetInt32(), ignore ? CancellationToken.None : cancellationToken);
        }

        if (input.TryGetProperty("transientFailures", out var tf) && calls <= tf.GetInt32())
        {
            throw new SkillException("test.transient", $"transient failure {calls}", transient: true);
        }

        if (input.TryGetProperty("remember", out var key))
        {
            var seen = await context.Memory.GetAsync(key.GetString()!, cancellationToken);
            await context.Memory.SetAsync(key.GetString()!, JsonSerializer.SerializeToElement(new { context.TaskId, context.Attempt }),
                ["probe"], null, cancellationToken);
            return JsonSerializer.SerializeToElement(new { label, previous = seen });
        }

        if (input.TryGetProperty("fatal", out var fatal) && fatal.GetBoolean())
        {
            throw new SkillException("test.fatal", "fatal failure", transient: false);
        }

        return JsonSerializer.SerializeToElement(new { label, attempt = context.Attempt, calls });
    }
}
