namespace OrleansAgents.Grains.Agents;

/// <summary>Helpers over a list of ids (or names) kept in ordinal order, shared by the indexes and the breaker registry.</summary>
internal static class SortedIds
{
    public static bool Insert(List<string> ids, string id)
    {
        var at = ids.BinarySearch(id, StringComparer.Ordinal);
        if (at >= 0)
        {
            return false;
        }

        ids.Insert(~at, id);
        return true;
    }

    public static bool Remove(List<string> ids, string id)
    {
        var at = ids.BinarySearch(id, StringComparer.Ordinal);
        if (at < 0)
        {
            return false;
        }

        ids.RemoveAt(at);
        return true;
    }

    public static AgentIdPage Page(List<string> ids, string? after, int limit)
    {
        var start = 0;
        if (after is not null)
        {
            var at = ids.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        var take = Math.Clamp(limit, 0, ids.Count - start);
        return new AgentIdPage(ids.GetRange(start, take), start + take < ids.Count);
    }
}
