namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// A bounded window of recently seen event ids, kept in a grain's stored list (oldest first) with
/// an in-memory set beside it, so that at-least-once deliveries are counted once.
/// </summary>
public sealed class RecentEventIds(List<string> stored)
{
    private readonly HashSet<string> _seen = new(stored, StringComparer.Ordinal);

    /// <summary>False when <paramref name="eventId"/> is in the window; else adds it, dropping the oldest beyond <paramref name="capacity"/> (0: remember nothing).</summary>
    public bool Remember(string eventId, int capacity)
    {
        if (capacity == 0)
        {
            return true;
        }

        if (!_seen.Add(eventId))
        {
            return false;
        }

        stored.Add(eventId);
        if (stored.Count > capacity)
        {
            var drop = stored.Count - capacity;
            _seen.ExceptWith(stored.Take(drop));
            stored.RemoveRange(0, drop);
        }

        return true;
    }
}
