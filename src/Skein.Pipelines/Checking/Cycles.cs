namespace Skein.Pipelines;

/// <summary>One cycle per strongly connected set of a graph (Tarjan, without recursion), as a path of node indices.</summary>
internal static class Cycles
{
    public static List<List<int>> Find(List<int>[] next)
    {
        var n = next.Length;
        var index = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var components = new List<List<int>>();
        var counter = 0;
        var work = new Stack<(int Node, int Edge)>();
        for (var root = 0; root < n; root++)
        {
            if (index[root] >= 0) continue;
            work.Push((root, 0));
            while (work.Count > 0)
            {
                var (v, e) = work.Pop();
                if (e == 0)
                {
                    index[v] = low[v] = counter++;
                    stack.Push(v);
                    onStack[v] = true;
                }
                if (e < next[v].Count)
                {
                    work.Push((v, e + 1));
                    var w = next[v][e];
                    if (index[w] < 0) work.Push((w, 0));
                    else if (onStack[w]) low[v] = Math.Min(low[v], index[w]);
                    continue;
                }
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[v]);
                }
                if (low[v] != index[v]) continue;
                var component = new List<int>();
                int x;
                do
                {
                    x = stack.Pop();
                    onStack[x] = false;
                    component.Add(x);
                }
                while (x != v);
                if (component.Count > 1 || next[v].Contains(v)) components.Add(component);
            }
        }

        var cycles = new List<List<int>>();
        foreach (var component in components)
        {
            var members = new HashSet<int>(component);
            cycles.Add(PathWithin(next, members, component.Min()));
        }
        cycles.Sort((a, b) => a[0].CompareTo(b[0]));
        return cycles;
    }

    /// <summary>A path from <paramref name="start"/> back to itself inside one strongly connected set (breadth first: the shortest).</summary>
    private static List<int> PathWithin(List<int>[] next, HashSet<int> members, int start)
    {
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in next[v])
            {
                if (!members.Contains(w)) continue;
                if (w == start)
                {
                    var path = new List<int> { v };
                    while (path[^1] != start) path.Add(previous[path[^1]]);
                    path.Reverse();
                    return path;
                }
                if (previous.TryAdd(w, v)) queue.Enqueue(w);
            }
        }
        return [start];
    }
}
