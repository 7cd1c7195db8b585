namespace Skein.Cluster.Tests.Architecture;

/// <summary>Finds the cycles of a dependency graph: one per group of nodes that reach each other, as a path back to its start.</summary>
internal static class NamespaceCycles
{
    /// <returns>
    /// Per group, its shortest cycle through its first node in ordinal order, as <c>[A, B, …, A]</c>, and all its
    /// nodes (a group may hold several cycles); groups in that order too.
    /// </returns>
    public static IReadOnlyList<NamespaceCycle> Find(IReadOnlyDictionary<string, Dictionary<string, string>> edges)
    {
        var cycles = new List<NamespaceCycle>();
        foreach (var group in Groups(edges).Where(g => g.Count > 1).Select(g => g.Order(StringComparer.Ordinal).ToList()).OrderBy(g => g[0], StringComparer.Ordinal))
            cycles.Add(new NamespaceCycle(ShortestCycle(group[0], [.. group], edges), group));
        return cycles;
    }

    /// <summary>True when <paramref name="from"/> uses <paramref name="to"/> and <paramref name="to"/> leads back to <paramref name="from"/>.</summary>
    public static bool ClosesCycle(IReadOnlyDictionary<string, Dictionary<string, string>> edges, string from, string to)
    {
        if (!edges.TryGetValue(from, out var targets) || !targets.ContainsKey(to)) return false;
        var seen = new HashSet<string>(StringComparer.Ordinal) { to };
        var queue = new Queue<string>([to]);
        while (queue.Count > 0)
        {
            foreach (var next in Targets(edges, queue.Dequeue()))
            {
                if (next == from) return true;
                if (seen.Add(next)) queue.Enqueue(next);
            }
        }
        return false;
    }

    /// <summary>The graph without the given edges.</summary>
    public static IReadOnlyDictionary<string, Dictionary<string, string>> Without(
        IReadOnlyDictionary<string, Dictionary<string, string>> edges, IReadOnlyCollection<(string From, string To)> removed) =>
        edges.ToDictionary(
            e => e.Key,
            e => e.Value.Where(t => !removed.Contains((e.Key, t.Key))).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);

    // Tarjan's strongly connected components.
    private static List<List<string>> Groups(IReadOnlyDictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<List<string>>();
        var nodes = edges.Keys.Concat(edges.Values.SelectMany(t => t.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Targets(edges, node))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }
            if (low[node] != index[node]) return;
            var group = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                group.Add(member);
            } while (member != node);
            groups.Add(group);
        }

        foreach (var node in nodes)
            if (!index.ContainsKey(node)) Visit(node);
        return groups;
    }

    private static List<string> ShortestCycle(string start, HashSet<string> group, IReadOnlyDictionary<string, Dictionary<string, string>> edges)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in Targets(edges, node).Where(group.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { start };
                    for (var at = node; at != start; at = previous[at]) path.Insert(1, at);
                    path.Add(start);
                    return path;
                }
                if (previous.TryAdd(next, node)) queue.Enqueue(next);
            }
        }
        throw new InvalidOperationException($"{start} is in a cycle but no path leads back to it");
    }

    private static IEnumerable<string> Targets(IReadOnlyDictionary<string, Dictionary<string, string>> edges, string node) =>
        edges.TryGetValue(node, out var targets) ? targets.Keys.Order(StringComparer.Ordinal) : [];
}

/// <param name="Path">A cycle, <c>[A, B, …, A]</c>.</param>
/// <param name="Group">Every namespace that reaches every other one of them, the path's included.</param>
internal sealed record NamespaceCycle(IReadOnlyList<string> Path, IReadOnlyList<string> Group);
