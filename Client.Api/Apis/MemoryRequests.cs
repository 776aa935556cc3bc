using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Body of PUT /api/agents/{id}/memory/{key}. <c>value</c> is required and may be any JSON,
/// <c>null</c> included: a missing value binds as an undefined element, which is how it is told apart.
/// </summary>
public sealed record MemoryPutRequest(JsonElement Value, List<string>? Tags, long? TtlSeconds);

/// <summary>An entry as the API shows it: the value as JSON, not as a string.</summary>
public sealed record MemoryEntryResponse(
    string Key,
    JsonElement Value,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    int SizeBytes,
    long Version)
{
    public static MemoryEntryResponse From(MemoryEntryView view) => new(
        view.Key, JsonSerializer.Deserialize<JsonElement>(view.ValueJson), view.Tags,
        view.CreatedAt, view.UpdatedAt, view.ExpiresAt, view.SizeBytes, view.Version);
}

/// <summary>A page of entries; pass <c>nextCursor</c> back as <c>cursor</c> for the next one.</summary>
public sealed record MemoryListResponse(IReadOnlyList<MemoryEntryResponse> Items, string? NextCursor);

/// <summary>The list cursor is the last key returned, base64url-encoded so clients treat it as opaque.</summary>
public static class MemoryCursor
{
    // A key of 256 bytes encodes to 342 characters.
    private const int MaxLength = 344;

    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    public static bool TryDecode(string cursor, [NotNullWhen(true)] out string? lastKey)
    {
        lastKey = null;
        // TryDecodeFromChars throws on characters outside the alphabet; check them first.
        if (cursor.Length > MaxLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(cursor.Length)];
        if (!Base64Url.TryDecodeFromChars(cursor, buffer, out var written) || !Ascii.IsValid(buffer.AsSpan(0, written)))
        {
            return false;
        }

        // Keys are ASCII: any other byte means the cursor was not one of ours.
        var text = Encoding.ASCII.GetString(buffer, 0, written);
        if (!MemoryRules.IsValidKey(text))
        {
            return false;
        }

        lastKey = text;
        return true;
    }
}
