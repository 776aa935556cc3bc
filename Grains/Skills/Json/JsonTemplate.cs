using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansAgents.Grains.Skills.Json;

/// <summary>One <c>{{ path }}</c> or <c>{{ path ? }}</c> inside a template string.</summary>
public sealed record class Placeholder(int Start, int Length, string PathText, bool Optional);

/// <summary>
/// Fills a JSON template from data. A string that is exactly one placeholder becomes the value at
/// its path (any JSON type); placeholders inside longer strings are replaced by the value's text
/// (strings as they are, null as empty, other values as compact JSON). Object keys are copied as
/// they are. A trailing <c>?</c> makes a missing path give null instead of failing.
/// </summary>
public static partial class JsonTemplate
{
    public static IReadOnlyList<Placeholder> Find(string text) =>
        [.. PlaceholderRegex().Matches(text).Select(m =>
        {
            var inner = m.Groups[1].Value.Trim();
            var optional = inner.EndsWith('?');
            return new Placeholder(m.Index, m.Length, optional ? inner[..^1].TrimEnd() : inner, optional);
        })];

    /// <summary>Every placeholder of the template with its location (e.g. <c>template.items[2]</c>).</summary>
    public static IEnumerable<(string Where, Placeholder Placeholder)> Walk(JsonElement template, string where)
    {
        switch (template.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in template.EnumerateObject())
                {
                    foreach (var found in Walk(property.Value, $"{where}.{property.Name}"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in template.EnumerateArray())
                {
                    foreach (var found in Walk(item, $"{where}[{index++}]"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.String:
                foreach (var placeholder in Find(template.GetString()!))
                {
                    yield return (where, placeholder);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Most placeholders one rendering may fill, and most bytes (compact JSON) the values it inserts
    /// may add up to. A small input must not expand into hundreds of MB inside a silo: a value
    /// inserted a thousand times is charged a thousand times. Published so clients know the bound.
    /// </summary>
    public const int MaxPlaceholders = 10_000;

    /// <inheritdoc cref="MaxPlaceholders"/>
    public const long MaxOutputBytes = 1024 * 1024;

    /// <summary>Fills the template; throws <see cref="SkillException"/> <c>json.path_not_found</c>, <c>json.invalid_path</c> or <c>json.output_too_large</c>.</summary>
    public static JsonNode? Apply(JsonElement template, JsonElement data) =>
        Apply(template, placeholder => Resolve(placeholder, data),
            why => new SkillException("json.output_too_large", why, transient: false));

    /// <summary>
    /// Fills the template with the values <paramref name="resolve"/> gives for its placeholders;
    /// throws what <paramref name="tooLarge"/> makes once the rendering passes <see cref="MaxPlaceholders"/>
    /// or <see cref="MaxOutputBytes"/>.
    /// </summary>
    public static JsonNode? Apply(JsonElement template, Func<Placeholder, JsonNode?> resolve, Func<string, Exception> tooLarge)
    {
        int placeholders = 0;
        long bytes = 0;
        return Fill(template, placeholder =>
        {
            var value = resolve(placeholder);
            if (++placeholders > MaxPlaceholders)
            {
                throw tooLarge($"The template fills more than {MaxPlaceholders} placeholders.");
            }

            bytes += value is null ? 4 : Encoding.UTF8.GetByteCount(value.ToJsonString());
            return bytes > MaxOutputBytes
                ? throw tooLarge($"The template's inserted values exceed {MaxOutputBytes} bytes.")
                : value;
        });
    }

    private static JsonNode? Fill(JsonElement template, Func<Placeholder, JsonNode?> resolve) => template.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(template.EnumerateObject()
            .Select(p => KeyValuePair.Create(p.Name, Fill(p.Value, resolve)))),
        JsonValueKind.Array => new JsonArray([.. template.EnumerateArray().Select(item => Fill(item, resolve))]),
        JsonValueKind.String => ApplyString(template.GetString()!, resolve),
        _ => JsonNode.Parse(template.GetRawText()),
    };

    private static JsonNode? ApplyString(string text, Func<Placeholder, JsonNode?> resolve)
    {
        var placeholders = Find(text);
        if (placeholders.Count == 0)
        {
            return JsonValue.Create(text);
        }

        if (placeholders is [{ Start: 0 } whole] && whole.Length == text.Length)
        {
            return resolve(whole);
        }

        var result = new StringBuilder();
        var position = 0;
        foreach (var placeholder in placeholders)
        {
            result.Append(text, position, placeholder.Start - position);
            result.Append(AsText(resolve(placeholder)));
            position = placeholder.Start + placeholder.Length;
        }

        result.Append(text, position, text.Length - position);
        return JsonValue.Create(result.ToString());
    }

    private static JsonNode? Resolve(Placeholder placeholder, JsonElement data)
    {
        if (!JsonPath.TryParse(placeholder.PathText, out var path, out var error))
        {
            throw new SkillException("json.invalid_path", $"Invalid path '{placeholder.PathText}': {error}.", transient: false);
        }

        if (path.TryEvaluate(data, out var value))
        {
            return value;
        }

        return placeholder.Optional
            ? null
            : throw new SkillException("json.path_not_found", $"Path '{path}' does not exist in data (end the placeholder with '?' to get null instead).", transient: false);
    }

    private static string AsText(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderRegex();
}
