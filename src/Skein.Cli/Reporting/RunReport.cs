using Skein.Engine;

namespace Skein.Cli.Reporting;

/// <summary>Everything the end-of-run reports need: the job, its summary, and every result in job order.</summary>
internal sealed class RunReport
{
    public RunReport(Job job, RunSummary summary, IReadOnlyList<TaskResult> resultsInFinishOrder)
    {
        Job = job;
        Summary = summary;
        var order = new Dictionary<string, int>(job.Tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < job.Tasks.Count; i++) order.TryAdd(job.Tasks[i].Id, i);
        var sorted = resultsInFinishOrder.ToList();
        // Tasks added while running are not in the job: they go after, in the order they finished.
        sorted.Sort((a, b) => (order.GetValueOrDefault(a.TaskId, int.MaxValue)).CompareTo(order.GetValueOrDefault(b.TaskId, int.MaxValue)));
        Results = sorted;
    }

    public Job Job { get; }
    public RunSummary Summary { get; }
    public IReadOnlyList<TaskResult> Results { get; }
}
