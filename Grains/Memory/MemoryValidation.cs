using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Memory;

/// <summary>A write that passed validation: compact JSON, distinct sorted tags, and its size.</summary>
internal sealed record NormalizedWrite(string ValueJson, List<string> Tags, TimeSpan? TimeToLive, int SizeBytes);

/// <summary>Checks keys and writes against <see cref="MemoryRules"/> and the configured limits.</summary>
internal static class MemoryValidation
{
    // Values are stored, not embedded in HTML: keep non-ASCII text as it is so sizes are what callers expect.
    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void RequireValidKey(string key)
    {
        if (!MemoryRules.IsValidKey(key))
        {
            throw new DomainException(ErrorCodes.MemoryInvalidKey, MemoryRules.KeyRule);
        }
    }

    public static NormalizedWrite Normalize(string key, MemoryWrite write, MemoryOptions options)
    {
        RequireValidKey(key);
        if (string.IsNullOrEmpty(write.ValueJson))
        {
            throw new DomainException(ErrorCodes.MemoryMissingValue, "value is required (any JSON, null included).");
        }

        var value = Compact(write.ValueJson);
        var tags = write.Tags ?? [];
        if (tags.Count > MemoryRules.MaxTags)
        {
            throw new DomainException(ErrorCodes.MemoryInvalidTag, $"at most {MemoryRules.MaxTags} tags (got {tags.Count}).");
        }

        foreach (var tag in tags)
        {
            if (!MemoryRules.IsValidTag(tag))
            {
                throw new DomainException(ErrorCodes.MemoryInvalidTag, $"tags must match {MemoryRules.TagPattern}.");
            }
        }

        if (write.TimeToLive is { } ttl && (ttl <= TimeSpan.Zero || ttl > options.MaxTimeToLive))
        {
            throw new DomainException(ErrorCodes.MemoryInvalidTtl,
                $"the time to live must be positive and at most {options.MaxTimeToLive.TotalSeconds:0} seconds.");
        }

        var distinct = tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var size = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + distinct.Sum(Encoding.UTF8.GetByteCount);
        return new NormalizedWrite(value, distinct, write.TimeToLive, size);
    }

    public static void RequireValidQuery(MemoryQuery query)
    {
        if (query.Limit < 1 || query.Limit > MemoryRules.MaxPageSize)
        {
            throw new DomainException(ErrorCodes.InvalidLimit, $"limit must be a whole number from 1 to {MemoryRules.MaxPageSize}.");
        }

        if (query.Prefix is not null && !MemoryRules.IsValidPrefix(query.Prefix))
        {
            throw new DomainException(ErrorCodes.MemoryInvalidKey, $"prefix must match {MemoryRules.PrefixPattern}.");
        }

        if (query.Tag is not null && !MemoryRules.IsValidTag(query.Tag))
        {
            throw new DomainException(ErrorCodes.MemoryInvalidTag, $"tag must match {MemoryRules.TagPattern}.");
        }

        if (query.After is not null && !MemoryRules.IsValidKey(query.After))
        {
            throw new DomainException(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
        }
    }

    /// <summary>The value re-written without insignificant whitespace, so formatting costs no quota.</summary>
    private static string Compact(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MemoryRules.MaxValueDepth });
            var buffer = new ArrayBufferWriter<byte>(json.Length);
            using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
            {
                document.RootElement.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            throw new DomainException(ErrorCodes.MemoryInvalidValue, $"value is not valid JSON or is nested deeper than {MemoryRules.MaxValueDepth} levels.");
        }
    }
}
