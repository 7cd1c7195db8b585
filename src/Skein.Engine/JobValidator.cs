
namespace Skein.Engine;

/// <summary>Checks a job before anything runs and reports every problem at once.</summary>
public static class JobValidator
{
    /// <summary>Validates the job (restricted to <paramref name="only"/> and what it needs, when given) and lays it out in layers.</summary>
    public static JobPlan Plan(Job job, IReadOnlyCollection<string>? only = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var problems = new List<ValidationProblem>(job.Warnings);
        ValidateGroups(job, problems);
        var graph = JobGraph.Build(job.Tasks, job.Groups, problems);
        var selected = Select(graph, only, problems);
        var layers = Layer(graph, selected, problems, out var count);
        OutputReferenceCheck.Check(graph, selected, problems);
        var plan = new JobPlan(problems, problems.Exists(p => p.Severity == ProblemSeverity.Error) ? [] : layers, count);
        return plan;
    }

    private static void ValidateGroups(Job job, List<ValidationProblem> problems)
    {
        foreach (var (name, group) in job.Groups)
        {
            if (group.Workers < 1)
                problems.Add(ValidationProblem.Error($"group '{name}' has workers {group.Workers}; it must be 1 or more", group.Location));
        }
    }

    /// <summary>Marks the tasks a run executes: all, or the --only tasks plus their transitive needs.</summary>
    internal static bool[] Select(JobGraph graph, IReadOnlyCollection<string>? only, List<ValidationProblem> problems)
    {
        var selected = new bool[graph.Tasks.Length];
        if (only is null || only.Count == 0)
        {
            Array.Fill(selected, true);
            return selected;
        }
        var stack = new Stack<int>();
        foreach (var id in only)
        {
            if (graph.IndexById.TryGetValue(id, out var index))
            {
                stack.Push(index);
            }
            else
            {
                var hint = NameSuggester.Suggest(id, graph.IndexById.Keys);
                problems.Add(ValidationProblem.Error($"--only names '{id}', which is not a task of this job{hint}"));
            }
        }
        while (stack.Count > 0)
        {
            var index = stack.Pop();
            if (selected[index]) continue;
            selected[index] = true;
            foreach (var dep in graph.Deps[index]) stack.Push(dep);
        }
        return selected;
    }

    /// <summary>Kahn's algorithm over the selected tasks: layers when acyclic, each cycle reported otherwise.</summary>
    /// <param name="withNames">False: only check for cycles and count, and return no layers.</param>
    internal static List<IReadOnlyList<string>> Layer(JobGraph graph, bool[] selected, List<ValidationProblem> problems, out int count, bool withNames = true)
    {
        var n = graph.Tasks.Length;
        var pending = new int[n];
        var dependents = new List<int>?[n];
        count = 0;
        for (var i = 0; i < n; i++)
        {
            if (!selected[i]) continue;
            count++;
            foreach (var dep in graph.Deps[i])
            {
                if (dep == i) continue; // self-need, reported as a cycle below
                pending[i]++;
                (dependents[dep] ??= []).Add(i);
            }
            foreach (var dep in graph.Deps[i])
            {
                if (dep == i)
                {
                    pending[i]++;
                    break;
                }
            }
        }

        var layers = new List<IReadOnlyList<string>>();
        var current = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (selected[i] && pending[i] == 0) current.Add(i);
        }
        var placed = 0;
        var next = new List<int>();
        while (current.Count > 0)
        {
            var names = withNames ? new string[current.Count] : null;
            for (var k = 0; k < current.Count; k++)
            {
                var i = current[k];
                if (names is not null) names[k] = graph.Tasks[i].Id;
                placed++;
                if (dependents[i] is not { } ds) continue;
                foreach (var d in ds)
                {
                    if (--pending[d] == 0) next.Add(d);
                }
            }
            if (names is not null) layers.Add(names);
            (current, next) = (next, current);
            next.Clear();
        }

        if (placed < count) ReportCycles(graph, selected, pending, problems);
        return layers;
    }

    private static void ReportCycles(JobGraph graph, bool[] selected, int[] pending, List<ValidationProblem> problems)
    {
        // Tasks still pending sit on a cycle or behind one. Walking "needs" edges among them must revisit a task:
        // the walk from that task back to itself is a cycle. Each task is walked at most once.
        var n = graph.Tasks.Length;
        var state = new byte[n]; // 0 unvisited, 1 on the current walk, 2 done
        var reported = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < n; start++)
        {
            if (!selected[start] || pending[start] == 0 || state[start] != 0) continue;
            var walk = new List<int>();
            var at = start;
            while (true)
            {
                if (state[at] == 2) break;
                if (state[at] == 1)
                {
                    var from = walk.IndexOf(at);
                    var cycle = walk.GetRange(from, walk.Count - from);
                    var names = new List<string>(cycle.Count + 1);
                    foreach (var c in cycle) names.Add(graph.Tasks[c].Id);
                    names.Add(graph.Tasks[at].Id);
                    var key = string.Join('\u0001', SortedCopy(names));
                    if (reported.Add(key))
                    {
                        var task = graph.Tasks[at];
                        problems.Add(ValidationProblem.Error(
                            $"dependency cycle: {string.Join(" → ", names)}",
                            task.Source?.LocationOf("needs") ?? task.Source?.Location));
                    }
                    break;
                }
                state[at] = 1;
                walk.Add(at);
                var nextAt = -1;
                foreach (var dep in graph.Deps[at])
                {
                    if (selected[dep] && pending[dep] > 0)
                    {
                        nextAt = dep;
                        break;
                    }
                }
                if (nextAt < 0) break;
                at = nextAt;
            }
            foreach (var w in walk) state[w] = 2;
        }
    }

    private static List<string> SortedCopy(List<string> names)
    {
        var copy = names.GetRange(0, names.Count - 1);
        copy.Sort(StringComparer.Ordinal);
        return copy;
    }
}
