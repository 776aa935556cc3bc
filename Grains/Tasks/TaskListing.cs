using System.Globalization;
using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Tasks;

/// <summary>Newest-first ordering and opaque cursors shared by the task logs and the dead letters.</summary>
public static class TaskListing
{
    public static IEnumerable<TaskSummary> NewestFirst(IEnumerable<TaskSummary> items) =>
        items.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id, StringComparer.Ordinal);

    public static string Cursor(TaskSummary last) =>
        last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "~" + last.Id;

    /// <summary>The position a cursor of <see cref="Cursor"/> names; DomainException (<c>request.invalid_cursor</c>) if it is not one.</summary>
    public static (DateTimeOffset CreatedAt, string Id) ParseCursor(string cursor)
    {
        var parts = cursor.Split('~');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ||
            ticks > DateTimeOffset.MaxValue.UtcTicks || !TaskRules.IsValidId(parts[1]))
        {
            throw new DomainException(ErrorCodes.InvalidCursor, "cursor is not one this list returned.");
        }

        return (new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
    }

    /// <summary>DomainException (<c>request.invalid_limit</c>) unless 1 &lt;= limit &lt;= <see cref="TaskRules.MaxPageSize"/>.</summary>
    public static void RequireLimit(int limit)
    {
        if (limit < 1 || limit > TaskRules.MaxPageSize)
        {
            throw new DomainException(ErrorCodes.InvalidLimit, $"limit must be between 1 and {TaskRules.MaxPageSize}.");
        }
    }

    /// <summary>Items strictly after the cursor in newest-first order.</summary>
    public static IEnumerable<TaskSummary> After(IEnumerable<TaskSummary> ordered, string? cursor)
    {
        if (cursor is null)
        {
            return ordered;
        }

        var (at, id) = ParseCursor(cursor);
        return ordered.Where(i => i.CreatedAt < at || (i.CreatedAt == at && string.CompareOrdinal(i.Id, id) > 0));
    }

    public static TaskSummaryPage Page(IEnumerable<TaskSummary> ordered, int limit, string? cursor)
    {
        RequireLimit(limit);
        var page = After(ordered, cursor).Take(limit + 1).ToList();
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(page.Count - 1);
        }

        return new TaskSummaryPage(page, hasMore ? Cursor(page[^1]) : null);
    }
}
