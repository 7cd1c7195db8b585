namespace Skein.Engine;

/// <summary>
/// A job's tasks with their needs resolved to indices: task ids directly, capabilities to every provider.
/// Built in linear time so that million-task jobs validate quickly; problems are collected, never thrown.
/// </summary>
internal sealed class JobGraph
{
    private static readonly int[] NoDeps = [];

    private JobGraph(TaskSpec[] tasks, Dictionary<string, int> indexById, Dictionary<string, List<int>> providers, int[][] deps)
    {
        Tasks = tasks;
        IndexById = indexById;
        Providers = providers;
        Deps = deps;
    }

    public TaskSpec[] Tasks { get; }
    public Dictionary<string, int> IndexById { get; }
    public Dictionary<string, List<int>> Providers { get; }

    /// <summary>Direct dependencies of each task (providers of needed capabilities included), without repeats.</summary>
    public int[][] Deps { get; }

    public static JobGraph Build(IReadOnlyList<TaskSpec> specs, IReadOnlyDictionary<string, GroupSpec> groups, List<ValidationProblem> problems)
    {
        var tasks = new TaskSpec[specs.Count];
        var indexById = new Dictionary<string, int>(specs.Count, StringComparer.Ordinal);
        var providers = new Dictionary<string, List<int>>(StringComparer.Ordinal);

        for (var i = 0; i < tasks.Length; i++)
        {
            var task = tasks[i] = specs[i];
            if (string.IsNullOrWhiteSpace(task.Id))
            {
                problems.Add(ValidationProblem.Error("a task has an empty id", task.Source?.Location));
                continue;
            }
            if (!indexById.TryAdd(task.Id, i))
            {
                var first = tasks[indexById[task.Id]];
                var firstAt = first.Source is { } s ? $" (first declared at {s.Location})" : "";
                problems.Add(ValidationProblem.Error($"duplicate task id '{task.Id}'{firstAt}", task.Source?.Location));
            }
            ValidateSettings(task, groups, problems);
            for (var p = 0; p < task.Provides.Count; p++)
            {
                var capability = task.Provides[p];
                if (!providers.TryGetValue(capability, out var list)) providers[capability] = list = new List<int>(1);
                list.Add(i);
            }
        }

        foreach (var (capability, list) in providers)
        {
            if (indexById.TryGetValue(capability, out var clash))
            {
                var provider = tasks[list[0]];
                problems.Add(ValidationProblem.Error(
                    $"'{capability}' is both a task id and a capability provided by '{provider.Id}'; rename one",
                    provider.Source?.LocationOf("provides")));
                _ = clash;
            }
        }

        var deps = new int[tasks.Length][];
        var scratch = new UniqueList();
        for (var i = 0; i < tasks.Length; i++)
        {
            var task = tasks[i];
            if (task.Needs.Count == 0) { deps[i] = NoDeps; continue; }
            scratch.Clear();
            for (var n = 0; n < task.Needs.Count; n++)
            {
                var need = task.Needs[n];
                if (indexById.TryGetValue(need, out var dep))
                {
                    scratch.Add(dep);
                }
                else if (providers.TryGetValue(need, out var list))
                {
                    // A task among the providers of what it needs waits for itself, as if it needed its own id:
                    // it stays in, to be reported as the same cycle.
                    foreach (var provider in list) scratch.Add(provider);
                }
                else
                {
                    var hint = NameSuggester.Suggest(need, indexById.Keys, providers.Keys);
                    problems.Add(ValidationProblem.Error(
                        $"task '{task.Id}' needs '{need}', which is neither a task nor a capability any task provides{hint}",
                        task.Source?.LocationOf("needs", n)));
                }
            }
            deps[i] = scratch.Count == 0 ? NoDeps : scratch.ToArray();
        }

        return new JobGraph(tasks, indexById, providers, deps);
    }

    private static void ValidateSettings(TaskSpec task, IReadOnlyDictionary<string, GroupSpec> groups, List<ValidationProblem> problems)
    {
        if (task.Retries < 0)
            problems.Add(ValidationProblem.Error($"task '{task.Id}' has retries {task.Retries}; it must be 0 or more", task.Source?.LocationOf("retries")));
        if (task.Timeout is { } timeout && timeout <= TimeSpan.Zero)
            problems.Add(ValidationProblem.Error($"task '{task.Id}' has a timeout of {timeout}; it must be positive", task.Source?.LocationOf("timeout")));
        if (task.RetryDelay < TimeSpan.Zero || task.RetryDelay > RetryDelays.Longest)
            problems.Add(ValidationProblem.Error(
                $"task '{task.Id}' has a retry delay of {task.RetryDelay}; it must be between zero and {Durations.Format(RetryDelays.Longest)}",
                task.Source?.LocationOf("retry-delay")));
        if (!Enum.IsDefined(task.RetryBackoff))
            problems.Add(ValidationProblem.Error($"task '{task.Id}' has retry backoff {(int)task.RetryBackoff}, which is none of constant, linear, exponential", task.Source?.LocationOf("retry-backoff")));
        if (task.Group is { } group && !groups.ContainsKey(group))
        {
            var hint = NameSuggester.Suggest(group, groups.Keys);
            problems.Add(ValidationProblem.Error(
                $"task '{task.Id}' is in group '{group}', which is not declared under 'groups'{hint}",
                task.Source?.LocationOf("group")));
        }
    }

    /// <summary>
    /// A task's dependencies without repeats, in the order first needed. Needs lists are usually short and a linear
    /// scan beats a set; a fan-in task needing thousands switches to a set so that validation stays linear.
    /// </summary>
    private sealed class UniqueList
    {
        private const int ScanLimit = 16;
        private readonly List<int> _items = [];
        private readonly HashSet<int> _seen = [];

        public int Count => _items.Count;

        public void Clear()
        {
            if (_items.Count >= ScanLimit) _seen.Clear();
            _items.Clear();
        }

        public void Add(int value)
        {
            if (_items.Count < ScanLimit)
            {
                if (_items.Contains(value)) return;
                _items.Add(value);
                if (_items.Count == ScanLimit) _seen.UnionWith(_items);
                return;
            }
            if (_seen.Add(value)) _items.Add(value);
        }

        public int[] ToArray() => _items.ToArray();
    }
}
