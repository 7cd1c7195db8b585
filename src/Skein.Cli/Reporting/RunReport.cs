using Skein.Engine.Journal;

namespace Skein.Cli.Reporting;

/// <summary>Everything the end-of-run reports need: the job's name and file, its totals, and every result in job order.</summary>
internal sealed class RunReport
{
    /// <param name="taskOrder">The job's task ids in job order; results are sorted by it.</param>
    /// <param name="attempts">Every attempt of the tasks that ran more than once, for the reports' retry history; null when not known.</param>
    public RunReport(string jobName, string? sourceFile, IReadOnlyList<string> taskOrder, RunTotals summary, IReadOnlyList<TaskResult> resultsInFinishOrder,
        IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>>? attempts = null)
    {
        JobName = jobName;
        SourceFile = sourceFile;
        Summary = summary;
        var order = new Dictionary<string, int>(taskOrder.Count, StringComparer.Ordinal);
        for (var i = 0; i < taskOrder.Count; i++) order.TryAdd(taskOrder[i], i);
        var sorted = resultsInFinishOrder.ToList();
        // Tasks added while running are not in the job: they go after, in the order they finished.
        sorted.Sort((a, b) => (order.GetValueOrDefault(a.TaskId, int.MaxValue)).CompareTo(order.GetValueOrDefault(b.TaskId, int.MaxValue)));
        Results = sorted;
        _attempts = attempts ?? new Dictionary<string, IReadOnlyList<AttemptDetails>>();
    }

    private readonly IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>> _attempts;

    /// <summary>Every attempt of the tasks that ran more than once, by task id, as given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>> AttemptsByTask => _attempts;

    public string JobName { get; }

    /// <summary>
    /// How a task is named in JUnit: its class name and case name. Null: the job's name and the task's id. <c>skein
    /// test</c> gives the suite and the experiment, so dashboards group experiments by suite.
    /// </summary>
    public Func<string, (string ClassName, string Name)>? CaseNames { get; init; }
    public string? SourceFile { get; }
    public RunTotals Summary { get; }
    public IReadOnlyList<TaskResult> Results { get; }

    /// <summary>The attempts of a task before its last one, first to last (empty when it ran once, or they are not known).</summary>
    public IReadOnlyList<AttemptDetails> EarlierAttempts(TaskResult result)
    {
        if (result.Attempts < 2 || !_attempts.TryGetValue(result.TaskId, out var all)) return [];
        return all.Where(a => a.Attempt < result.Attempts && a.Outcome is { } o && !o.IsSuccess()).ToList();
    }
}
