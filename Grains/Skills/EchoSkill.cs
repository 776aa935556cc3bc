using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Grains.Skills;

/// <summary>
/// Returns its input unchanged. An object input may carry <c>delayMs</c> (0–600000): the skill
/// waits that long first, honouring cancellation, which makes it a handy probe for timeouts,
/// progress events and load tests.
/// </summary>
public sealed class EchoSkill : ISkill
{
    public const string SkillName = "echo";
    public const int MaxDelayMs = 600_000;

    public string Name => SkillName;

    public string Description => "Returns its input unchanged; an object input may ask for a delay first (delayMs).";

    public JsonObject InputSchema { get; } = new()
    {
        ["description"] = "Any JSON value. If it is an object, an optional integer delayMs (0-600000) delays the answer.",
        ["properties"] = new JsonObject { ["delayMs"] = SkillSchema.Of("integer", "Milliseconds to wait before answering.") },
    };

    public IReadOnlyList<string> Validate(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.Object && input.TryGetProperty("delayMs", out var delay) &&
            (delay.ValueKind != JsonValueKind.Number || !delay.TryGetInt32(out var ms) || ms < 0 || ms > MaxDelayMs))
        {
            return [$"delayMs must be an integer between 0 and {MaxDelayMs}."];
        }

        return [];
    }

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        if (context.Input.ValueKind == JsonValueKind.Object && context.Input.TryGetProperty("delayMs", out var delay) &&
            delay.GetInt32() is > 0 and var ms)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(ms), cancellationToken); // real time, even under a test clock
        }

        return context.Input;
    }
}
