using OrleansAgents.Errors;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

public static partial class WorkflowValidation
{
    /// <summary>
    /// An order in which the steps can run (dependencies first); among ready steps the one defined
    /// first goes first. For valid graphs only: throws <see cref="InvalidOperationException"/> on a cycle or unknown dependency.
    /// </summary>
    public static IReadOnlyList<string> TopologicalOrder(IReadOnlyList<WorkflowStep> steps)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>(steps.Count);
        var remaining = steps.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.FindIndex(s => (s.DependsOn ?? []).All(done.Contains));
            if (ready < 0)
            {
                throw new InvalidOperationException("The steps' dependencies have a cycle or name unknown steps; validate the definition first.");
            }

            order.Add(remaining[ready].Id);
            done.Add(remaining[ready].Id);
            remaining.RemoveAt(ready);
        }

        return order;
    }

    /// <summary>Indexes of every step <paramref name="step"/> depends on, directly or transitively.</summary>
    private static HashSet<int> Ancestors(int step, List<int>[] edges)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<int>(edges[step]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var dependency in edges[next])
                {
                    pending.Push(dependency);
                }
            }
        }

        seen.Remove(step);
        return seen;
    }

    /// <summary>Cycles found by a depth-first walk (iterative: no recursion on client data), each reported once from its first-defined step.</summary>
    private static IEnumerable<WorkflowValidationIssue> FindCycles(IReadOnlyList<WorkflowStep> steps, List<int>[] edges)
    {
        var state = new byte[steps.Count]; // 0 unvisited, 1 on the current path, 2 done
        var reported = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < steps.Count; start++)
        {
            if (state[start] != 0)
            {
                continue;
            }

            var path = new List<(int Node, int Edge)> { (start, 0) };
            state[start] = 1;
            while (path.Count > 0)
            {
                var (node, edge) = path[^1];
                if (edge >= edges[node].Count)
                {
                    state[node] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                path[^1] = (node, edge + 1);
                var next = edges[node][edge];
                if (state[next] == 0)
                {
                    state[next] = 1;
                    path.Add((next, 0));
                }
                else if (state[next] == 1)
                {
                    var cycle = path.Skip(path.FindIndex(p => p.Node == next)).Select(p => p.Node).ToList();
                    var first = cycle.IndexOf(cycle.Min());
                    cycle = [.. cycle.Skip(first), .. cycle.Take(first)];
                    var names = string.Join(" → ", cycle.Append(cycle[0]).Select(n => steps[n].Id));
                    if (reported.Add(names))
                    {
                        var at = $"steps[{cycle[0]}].dependsOn";
                        yield return new(at, ErrorCodes.WorkflowCycle, $"{at}: the dependencies form a cycle {names} (each step depends on the next)");
                    }
                }
            }
        }
    }
}
