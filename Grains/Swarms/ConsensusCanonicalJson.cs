using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansAgents.Grains.Swarms;

/// <summary>
/// The form answers are compared in: no insignificant whitespace, object properties sorted by
/// name (ordinal; a repeated name keeps its last value, as most parsers do), numbers as their
/// shortest round-trip IEEE double (so 1, 1.0 and 1e0 are equal; integers beyond 2^53 may merge),
/// strings re-escaped one way. Array order matters.
/// </summary>
public static class ConsensusCanonicalJson
{
    public static string Canonicalize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Canonicalize(document.RootElement);
    }

    public static string Canonicalize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, element);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    properties[property.Name] = property.Value;
                }

                foreach (var (name, value) in properties)
                {
                    writer.WritePropertyName(name);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                // Beyond double's range the literal is kept as written.
                writer.WriteRawValue(element.TryGetDouble(out var number) && double.IsFinite(number)
                    ? (number == 0 ? "0" : number.ToString("R", CultureInfo.InvariantCulture))
                    : element.GetRawText(), skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
