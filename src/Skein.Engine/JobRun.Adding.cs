
namespace Skein.Engine;

// Tasks added by a running task: validated against the live graph, then scheduled in the same run.
public sealed partial class JobRun
{
    void IRunHost.AddTasks(IReadOnlyList<TaskSpec> tasks, string addedBy)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0) return;
        var toStart = new List<TaskNode>();
        lock (_lock)
        {
            if (_stopping) throw new InvalidOperationException($"Task '{addedBy}' cannot add tasks: the run is stopping.");
            var problems = ValidateAddedLocked(tasks, addedBy);
            if (problems.Exists(p => p.Severity == ProblemSeverity.Error)) throw new JobValidationException(problems);

            var added = new List<TaskNode>(tasks.Count);
            foreach (var spec in tasks)
            {
                var node = CreateNode(spec);
                _nodes.Add(node);
                added.Add(node);
            }
            var records = _journal is null ? null : new List<TaskRecord>(added.Count);
            foreach (var node in added)
            {
                var deps = new List<TaskNode>();
                HashSet<TaskNode>? seen = null;
                foreach (var need in node.Spec.Needs)
                {
                    if (_nodes.TryGetValue(need, out var dep)) AddDependency(deps, ref seen, dep);
                    else foreach (var provider in _providers[need]) if (provider != node) AddDependency(deps, ref seen, provider);
                }
                node.Deps = deps.ToArray();
                foreach (var dep in node.Deps)
                {
                    (dep.Dependents ??= []).Add(node);
                    if (dep.State != NodeState.Done) node.PendingDeps++;
                }
                if (records is not null)
                {
                    node.DefinitionHash = DefinitionHash.Compute(node.Spec);
                    records.Add(new TaskRecord(node.Id, node.DefinitionHash, node.Spec.Group, node.Order));
                }
            }
            _total += added.Count;
            if (records is not null) _journal!.RecordTasks(RunId, records);

            foreach (var node in added)
            {
                TaskNode? failedDep = null;
                foreach (var dep in node.Deps)
                {
                    if (dep.State == NodeState.Done && !dep.Result!.Outcome.IsSuccess()) { failedDep = dep; break; }
                }
                if (failedDep is not null)
                {
                    var outcome = failedDep.Result!.Outcome;
                    node.SkipRootCause = outcome == Outcome.Skipped ? failedDep.SkipRootCause : $"'{failedDep.Id}' {Describe(outcome)}";
                    FinishLocked(node, Skipped(node, failedDep, outcome, node.SkipRootCause!));
                }
                else if (node.PendingDeps == 0)
                {
                    MakeReadyLocked(node);
                }
            }
            CollectStartableLocked(toStart);
        }
        _events.Flush(force: true);
        foreach (var node in toStart) Spawn(node);
    }

    /// <summary>Adds a dependency once. Short lists are scanned; a fan-in of thousands switches to a set and stays linear.</summary>
    private static void AddDependency(List<TaskNode> deps, ref HashSet<TaskNode>? seen, TaskNode dep)
    {
        if (seen is not null)
        {
            if (seen.Add(dep)) deps.Add(dep);
            return;
        }
        if (deps.Contains(dep)) return;
        deps.Add(dep);
        if (deps.Count == 16) seen = new HashSet<TaskNode>(deps);
    }

    /// <summary>
    /// The same checks as for the job's own tasks, against the live graph. Existing tasks were validated without
    /// the new ones, so a new task may not provide a capability the job already knows: that would change what
    /// already-running tasks were waiting for.
    /// </summary>
    private List<ValidationProblem> ValidateAddedLocked(IReadOnlyList<TaskSpec> tasks, string addedBy)
    {
        var problems = new List<ValidationProblem>();
        var batchIds = new HashSet<string>(StringComparer.Ordinal);
        var batchCapabilities = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in tasks)
        {
            if (_nodes.ContainsKey(spec.Id) || !batchIds.Add(spec.Id))
                problems.Add(ValidationProblem.Error($"task '{addedBy}' added a task with id '{spec.Id}', which is already in the run"));
            if (_providers.TryGetValue(spec.Id, out var liveProviders))
                problems.Add(ValidationProblem.Error($"'{spec.Id}' is both a task id and a capability provided by '{liveProviders[0].Id}'; rename one", spec.Source?.Location));
            foreach (var capability in spec.Provides)
            {
                if (_providers.ContainsKey(capability))
                    problems.Add(ValidationProblem.Error($"task '{addedBy}' added '{spec.Id}' providing '{capability}', which tasks of the run already provide; a capability's providers are fixed when the run starts"));
                if (_nodes.ContainsKey(capability))
                    problems.Add(ValidationProblem.Error($"'{capability}' is both a task id and a capability provided by '{spec.Id}'; rename one", spec.Source?.LocationOf("provides")));
                batchCapabilities.Add(capability);
            }
        }

        // Needs that point into the live run are settled, and needs found nowhere are reported here, where the
        // run's names can be suggested; validate the rest (and cycles) as a small job of its own.
        var local = new List<TaskSpec>(tasks.Count);
        foreach (var spec in tasks)
        {
            var needs = new List<string>(spec.Needs.Count);
            for (var n = 0; n < spec.Needs.Count; n++)
            {
                var need = spec.Needs[n];
                var inBatch = batchIds.Contains(need) || batchCapabilities.Contains(need);
                if (inBatch)
                {
                    needs.Add(need);
                }
                else if (!_nodes.ContainsKey(need) && !_providers.ContainsKey(need))
                {
                    var hint = NameSuggester.Suggest(need, batchIds, batchCapabilities, _nodes.Ids, _providers.Keys);
                    problems.Add(ValidationProblem.Error(
                        $"task '{spec.Id}' needs '{need}', which is neither a task nor a capability any task provides{hint}",
                        spec.Source?.LocationOf("needs", n)));
                }
            }
            local.Add(new TaskSpec
            {
                Id = spec.Id, Action = spec.Action, Needs = needs, Provides = spec.Provides, Retries = spec.Retries,
                RetryDelay = spec.RetryDelay, RetryBackoff = spec.RetryBackoff,
                Timeout = spec.Timeout, Group = spec.Group, Source = spec.Source,
            });
        }
        var graph = JobGraph.Build(local, _job.Groups, problems);
        var all = new bool[graph.Tasks.Length];
        Array.Fill(all, true);
        JobValidator.Layer(graph, all, problems, out _);
        return problems;
    }
}
