namespace Skein.Cli.Reporting;

/// <summary>Everything the end-of-run reports need: the job's name and file, its totals, and every result in job order.</summary>
internal sealed class RunReport
{
    /// <param name="taskOrder">The job's task ids in job order; results are sorted by it.</param>
    public RunReport(string jobName, string? sourceFile, IReadOnlyList<string> taskOrder, RunTotals summary, IReadOnlyList<TaskResult> resultsInFinishOrder)
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
    }

    public string JobName { get; }
    public string? SourceFile { get; }
    public RunTotals Summary { get; }
    public IReadOnlyList<TaskResult> Results { get; }
}
