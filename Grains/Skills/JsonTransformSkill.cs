using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Grains.Skills.Json;

namespace OrleansAgents.Grains.Skills;

/// <summary>
/// Fills a JSON template from JSON data with <c>{{ $.json.path }}</c> placeholders (see
/// <see cref="JsonTemplate"/> and <see cref="JsonPath"/>). Pure: no I/O, no state.
/// </summary>
public sealed class JsonTransformSkill : ISkill
{
    public const string SkillName = "json.transform";
    private const int MaxErrors = 20;
    private static readonly JsonElement NullData = JsonDocument.Parse("null").RootElement.Clone();

    public string Name => SkillName;

    public string Description => "Fills a JSON template from data: \"{{ $.path }}\" placeholders (JSONPath subset), \"{{ $.path ? }}\" for optional values.";

    public JsonObject InputSchema { get; } = SkillSchema.ObjectOf(
        ("data", new JsonObject { ["description"] = "Any JSON value the paths read from." }, false),
        ("template", new JsonObject { ["description"] = "Any JSON value; strings may hold {{ $.path }} placeholders." }, true));

    public IReadOnlyList<string> Validate(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return ["input must be an object { \"data\": ..., \"template\": ... }."];
        }

        if (!input.TryGetProperty("template", out var template))
        {
            return ["template is required."];
        }

        var errors = new List<string>();
        foreach (var property in input.EnumerateObject().Where(p => p.Name is not ("data" or "template")))
        {
            errors.Add($"unknown field '{property.Name}' (expected data and template).");
        }

        foreach (var (where, placeholder) in JsonTemplate.Walk(template, "template"))
        {
            if (!JsonPath.TryParse(placeholder.PathText, out _, out var error))
            {
                errors.Add($"{where}: invalid path '{placeholder.PathText}': {error}.");
                if (errors.Count >= MaxErrors)
                {
                    break;
                }
            }
        }

        return errors;
    }

    public ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var data = context.Input.TryGetProperty("data", out var d) ? d : NullData;
        var template = context.Input.GetProperty("template");
        var result = JsonTemplate.Apply(template, data);
        return ValueTask.FromResult(JsonSerializer.SerializeToElement(result));
    }
}
