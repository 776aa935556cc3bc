namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// A layered drawing of a workflow's DAG: a step's column is one more than its deepest dependency
/// (longest path from a root), and within a column steps are ordered by the mean row of their
/// dependencies (one barycentre pass), which keeps a diamond's branches side by side and edges short.
/// Definitions are validated acyclic by the API; a cycle or an unknown dependency here is ignored.
/// </summary>
public sealed class DagLayout
{
    public const double NodeWidth = 168;
    public const double NodeHeight = 52;
    private const double ColumnGap = 72;
    private const double RowGap = 28;
    private const double Margin = 16;

    private DagLayout(IReadOnlyList<DagNode> nodes, IReadOnlyList<DagEdge> edges, double width, double height)
    {
        Nodes = nodes;
        Edges = edges;
        Width = width;
        Height = height;
    }

    public IReadOnlyList<DagNode> Nodes { get; }

    public IReadOnlyList<DagEdge> Edges { get; }

    public double Width { get; }

    public double Height { get; }

    public static DagLayout Compute(IReadOnlyList<(string Id, IReadOnlyList<string> DependsOn)> steps)
    {
        var known = steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var deps = steps.ToDictionary(s => s.Id, s => s.DependsOn.Where(d => known.Contains(d) && d != s.Id).Distinct().ToList(), StringComparer.Ordinal);
        var column = new Dictionary<string, int>(StringComparer.Ordinal);
        int ColumnOf(string id, HashSet<string> visiting)
        {
            if (column.TryGetValue(id, out var c))
            {
                return c;
            }

            if (!visiting.Add(id))
            {
                return 0; // a cycle: cut it here
            }

            c = deps[id].Count == 0 ? 0 : deps[id].Max(d => ColumnOf(d, visiting)) + 1;
            visiting.Remove(id);
            column[id] = c;
            return c;
        }

        foreach (var s in steps)
        {
            ColumnOf(s.Id, []);
        }

        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        var columns = steps.GroupBy(s => column[s.Id]).OrderBy(g => g.Key).ToList();
        foreach (var group in columns)
        {
            var ordered = group
                .Select((s, index) => (s.Id, Key: deps[s.Id].Count == 0 ? index : deps[s.Id].Average(d => row.GetValueOrDefault(d)), index))
                .OrderBy(x => x.Key).ThenBy(x => x.index).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                row[ordered[i].Id] = i;
            }
        }

        var tallest = columns.Count == 0 ? 0 : columns.Max(g => g.Count());
        var nodes = new List<DagNode>();
        foreach (var group in columns)
        {
            var count = group.Count();
            // Centre a short column against the tallest one.
            var offset = (tallest - count) * (NodeHeight + RowGap) / 2;
            foreach (var s in group)
            {
                nodes.Add(new DagNode(s.Id, Margin + group.Key * (NodeWidth + ColumnGap), Margin + offset + row[s.Id] * (NodeHeight + RowGap)));
            }
        }

        var at = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var edges = steps.SelectMany(s => deps[s.Id].Select(d => new DagEdge(at[d], at[s.Id]))).ToList();
        var width = columns.Count * (NodeWidth + ColumnGap) - ColumnGap + 2 * Margin;
        var height = tallest * (NodeHeight + RowGap) - RowGap + 2 * Margin;
        return new DagLayout(nodes, edges, Math.Max(width, NodeWidth), Math.Max(height, NodeHeight));
    }
}

public sealed record DagNode(string Id, double X, double Y);

public sealed record DagEdge(DagNode From, DagNode To)
{
    /// <summary>A cubic curve from the right side of the dependency to the left side of the step.</summary>
    public string Path(IFormatProvider format)
    {
        var x1 = From.X + DagLayout.NodeWidth;
        var y1 = From.Y + DagLayout.NodeHeight / 2;
        var x2 = To.X;
        var y2 = To.Y + DagLayout.NodeHeight / 2;
        var mid = (x1 + x2) / 2;
        return string.Format(format, "M{0:0.#},{1:0.#} C{2:0.#},{1:0.#} {2:0.#},{3:0.#} {4:0.#},{3:0.#}", x1, y1, mid, y2, x2);
    }
}
