using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Grains.Skills.Json;

/// <summary>
/// A small JSONPath subset: <c>$</c>, <c>.name</c>, <c>['name']</c> (or double quotes),
/// <c>[index]</c> (negative counts from the end) and <c>[*]</c> (every element of an array or
/// value of an object). Without a wildcard a path selects one value; with one it selects an
/// array, and elements lacking the rest of the path are skipped (as in JSONPath).
/// </summary>
public sealed class JsonPath
{
    private enum Kind
    {
        Name,
        Index,
        Wildcard,
    }

    private readonly record struct Segment(Kind Kind, string? Name = null, int Index = 0);

    private readonly Segment[] _segments;

    private JsonPath(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>The names the path starts with, up to its first index or wildcard (<c>$.a['b'][0].c</c> → a, b).</summary>
    public IReadOnlyList<string> LeadingNames =>
        [.. _segments.TakeWhile(s => s.Kind == Kind.Name).Select(s => s.Name!)];

    public static bool TryParse(string text, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        if (text.Length == 0 || text[0] != '$')
        {
            error = "a path starts with $";
            return false;
        }

        return TryParseSegments(text, 1, [], out path, out error);
    }

    /// <summary>
    /// A path without the leading <c>$.</c>: it starts with a property name (<c>input.items[0]</c>
    /// means <c>$.input.items[0]</c>). Used where the root is implied, e.g. workflow templates.
    /// </summary>
    public static bool TryParseRelative(string text, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        var segments = new List<Segment>();
        var i = -1;
        error = ParseDotName(text, ref i, segments);
        return error is null ? TryParseSegments(text, i, segments, out path, out error) : false;
    }

    private static bool TryParseSegments(string text, int i, List<Segment> segments, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        while (i < text.Length)
        {
            error = text[i] switch
            {
                '.' => ParseDotName(text, ref i, segments),
                '[' => ParseBracket(text, ref i, segments),
                _ => $"unexpected '{text[i]}' at position {i}",
            };
            if (error is not null)
            {
                return false;
            }
        }

        path = new JsonPath(text, [.. segments]);
        error = null;
        return true;
    }

    /// <summary>The value at the path, or <c>false</c> when it does not exist.</summary>
    public bool TryEvaluate(JsonElement root, out JsonNode? value)
    {
        List<JsonElement> current = [root];
        var wildcardSeen = false;
        foreach (var segment in _segments)
        {
            var next = new List<JsonElement>();
            foreach (var element in current)
            {
                Step(element, segment, next);
            }

            if (next.Count == 0 && !wildcardSeen && !(segment.Kind == Kind.Wildcard && IsContainer(current[0])))
            {
                value = null;
                return false;
            }

            wildcardSeen |= segment.Kind == Kind.Wildcard;
            current = next;
        }

        value = wildcardSeen
            ? new JsonArray([.. current.Select(ToNode)])
            : ToNode(current[0]);
        return true;
    }

    public override string ToString() => Text;

    private static bool IsContainer(JsonElement e) => e.ValueKind is JsonValueKind.Array or JsonValueKind.Object;

    private static JsonNode? ToNode(JsonElement e) => JsonNode.Parse(e.GetRawText());

    private static void Step(JsonElement element, Segment segment, List<JsonElement> next)
    {
        switch (segment.Kind)
        {
            case Kind.Name when element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment.Name!, out var property):
                next.Add(property);
                break;
            case Kind.Index when element.ValueKind == JsonValueKind.Array:
                var length = element.GetArrayLength();
                var index = segment.Index < 0 ? length + segment.Index : segment.Index;
                if (index >= 0 && index < length)
                {
                    next.Add(element[index]);
                }

                break;
            case Kind.Wildcard when element.ValueKind == JsonValueKind.Array:
                next.AddRange(element.EnumerateArray());
                break;
            case Kind.Wildcard when element.ValueKind == JsonValueKind.Object:
                next.AddRange(element.EnumerateObject().Select(p => p.Value));
                break;
            default:
                break;
        }
    }

    private static string? ParseDotName(string text, ref int i, List<Segment> segments)
    {
        var start = ++i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-'))
        {
            i++;
        }

        if (i == start)
        {
            return start == 0 ? "a path starts with a property name" : $"expected a property name after '.' at position {start}";
        }

        segments.Add(new Segment(Kind.Name, text[start..i]));
        return null;
    }

    private static string? ParseBracket(string text, ref int i, List<Segment> segments)
    {
        var open = i++;
        if (i >= text.Length)
        {
            return $"unclosed '[' at position {open}";
        }

        if (text[i] == '*')
        {
            i++;
            segments.Add(new Segment(Kind.Wildcard));
        }
        else if (text[i] is '\'' or '"')
        {
            var quote = text[i++];
            var name = new StringBuilder();
            while (i < text.Length && text[i] != quote)
            {
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    i++;
                }

                name.Append(text[i++]);
            }

            if (i >= text.Length)
            {
                return $"unclosed quoted name starting at position {open + 1}";
            }

            i++;
            segments.Add(new Segment(Kind.Name, name.ToString()));
        }
        else
        {
            var start = i;
            if (text[i] == '-')
            {
                i++;
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (!int.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
            {
                return $"expected an index, a quoted name or * after '[' at position {open}";
            }

            segments.Add(new Segment(Kind.Index, Index: index));
        }

        if (i >= text.Length || text[i] != ']')
        {
            return $"expected ']' at position {i}";
        }

        i++;
        return null;
    }
}
