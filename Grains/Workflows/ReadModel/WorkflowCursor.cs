using System.Buffers.Text;
using System.Globalization;
using System.Text;
using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Workflows.ReadModel;

/// <summary>
/// The read model's opaque keyset cursors: base64url of the last returned row's sort key and id,
/// tagged with the ordering they continue (<c>u</c> most recently updated, <c>r</c> search rank,
/// <c>s</c> run start), so a cursor from one listing is refused by another.
/// </summary>
public static class WorkflowCursor
{
    private const int MaxIdLength = 256;

    public static string ForUpdated(DateTimeOffset updatedAt, string id) => Encode('u', Ticks(updatedAt), id);

    public static string ForRank(double rank, string id) => Encode('r', rank.ToString("R", CultureInfo.InvariantCulture), id);

    public static string ForRun(DateTimeOffset startedAt, string runId) => Encode('s', Ticks(startedAt), runId);

    public static (DateTimeOffset UpdatedAt, string Id) ParseUpdated(string cursor)
    {
        var (key, id) = Decode(cursor, 'u');
        return (ParseTicks(key), id);
    }

    public static (double Rank, string Id) ParseRank(string cursor)
    {
        var (key, id) = Decode(cursor, 'r');
        return double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out var rank) && double.IsFinite(rank) && rank >= 0
            ? (rank, id)
            : throw Malformed();
    }

    public static (DateTimeOffset StartedAt, string RunId) ParseRun(string cursor)
    {
        var (key, id) = Decode(cursor, 's');
        return (ParseTicks(key), id);
    }

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTicks(string key) =>
        long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : throw Malformed();

    private static string Encode(char kind, string key, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}:{key}:{id}"));

    private static (string Key, string Id) Decode(string cursor, char kind)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw Malformed();
        }

        var parts = text.Split(':', 3);
        if (parts.Length != 3 || parts[0].Length != 1 || parts[0][0] != kind || parts[2].Length is 0 or > MaxIdLength)
        {
            throw Malformed();
        }

        return (parts[1], parts[2]);
    }

    private static DomainException Malformed() =>
        new(ErrorCodes.InvalidQuery, "cursor is not one this list returned; start again without it.", DomainErrorKind.Invalid);
}
