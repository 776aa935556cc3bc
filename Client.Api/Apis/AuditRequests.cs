using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace OrleansAgents.Api.Apis;

/// <summary>A page of audit entries, newest first; pass <c>nextCursor</c> back as <c>cursor</c> for older ones.</summary>
public sealed record AuditListResponse(IReadOnlyList<AuditEntry> Items, string? NextCursor);

/// <summary>The cursor is the id to continue before, base64url-encoded so clients treat it as opaque.</summary>
public static class AuditCursor
{
    private const int MaxLength = 32;

    public static string Encode(long beforeId) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(beforeId.ToString(CultureInfo.InvariantCulture)));

    public static bool TryDecode(string cursor, out long beforeId)
    {
        beforeId = 0;
        // TryDecodeFromChars throws on characters outside the alphabet; check them first.
        if (cursor.Length is 0 or > MaxLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(cursor.Length)];
        if (!Base64Url.TryDecodeFromChars(cursor, buffer, out var written) || !Ascii.IsValid(buffer.AsSpan(0, written)))
        {
            return false;
        }

        return long.TryParse(Encoding.ASCII.GetString(buffer, 0, written), NumberStyles.None, CultureInfo.InvariantCulture, out beforeId)
            && beforeId > 0;
    }
}
