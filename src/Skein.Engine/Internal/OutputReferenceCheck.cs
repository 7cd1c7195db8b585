using Skein.Engine.Templates;
namespace Skein.Engine;

/// <summary>
/// Checks, before anything runs, that every <c>{{tasks.ID.outputs.NAME}}</c> names a task the reading task needs —
/// directly or through other needs — so the output is there when the reader starts, and that it stands where its
/// value can be filled in safely.
/// </summary>
/// <remarks>
/// Transitive needs are enough: a task needed through another has passed before the reader starts, as surely as a
/// direct one. Whether the task really sets the output is known only once it ran.
/// </remarks>
internal static class OutputReferenceCheck
{
    public static void Check(JobGraph graph, bool[] selected, List<ValidationProblem> problems)
    {
        bool[]? reached = null;
        var stack = new Stack<int>();
        for (var i = 0; i < graph.Tasks.Length; i++)
        {
            if (!selected[i] || graph.Tasks[i].Action is not IReadsTaskOutputs reads) continue;
            var references = reads.OutputReferences;
            if (references.Count == 0) continue;
            var task = graph.Tasks[i];
            if (task.Action is CommandAction command)
            {
                foreach (var problem in OutputPlaceholders.CheckCommand(command.Command))
                    problems.Add(ValidationProblem.Error($"task '{task.Id}': {problem}", task.Source?.LocationOf("run")));
            }

            var reachedFilled = false;
            foreach (var (key, reference) in references)
            {
                var at = task.Source?.LocationOf(key);
                if (!TaskOutputs.IsValidName(reference.Name))
                {
                    problems.Add(ValidationProblem.Error(
                        $"task '{task.Id}' reads '{{{{{reference}}}}}', but '{reference.Name}' cannot be an output name (letters, digits, '_' and '-')", at));
                    continue;
                }
                if (!graph.IndexById.TryGetValue(reference.TaskId, out var source))
                {
                    var hint = NameSuggester.Suggest(reference.TaskId, graph.IndexById.Keys);
                    problems.Add(ValidationProblem.Error(
                        $"task '{task.Id}' reads '{{{{{reference}}}}}', but there is no task '{reference.TaskId}'{hint}", at));
                    continue;
                }
                if (Array.IndexOf(graph.Deps[i], source) >= 0) continue;
                if (!reachedFilled)
                {
                    reached ??= new bool[graph.Tasks.Length];
                    Reach(graph, i, reached, stack);
                    reachedFilled = true;
                }
                if (source != i && reached![source]) continue;
                problems.Add(ValidationProblem.Error(
                    $"task '{task.Id}' reads '{{{{{reference}}}}}', but '{reference.TaskId}' is not among its needs: add '{reference.TaskId}' to its needs", at));
            }
        }
    }

    /// <summary>Marks every task <paramref name="from"/> needs, directly or not.</summary>
    private static void Reach(JobGraph graph, int from, bool[] reached, Stack<int> stack)
    {
        Array.Clear(reached);
        stack.Clear();
        foreach (var dep in graph.Deps[from]) stack.Push(dep);
        while (stack.Count > 0)
        {
            var at = stack.Pop();
            if (reached[at]) continue;
            reached[at] = true;
            foreach (var dep in graph.Deps[at]) stack.Push(dep);
        }
    }
}
