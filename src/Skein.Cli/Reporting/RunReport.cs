using Skein.Engine;
using Skein.Engine.Journal;

namespace Skein.Cli.Reporting;

/// <summary>Everything the end-of-run reports need: the job, its summary, and every result in job order.</summary>
internal sealed class RunReport
{
    public RunReport(Job job, RunSummary summary, IReadOnlyList<TaskResult> resultsInFinishOrder,
        IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>>? attempts = null)
    {
        Job = job;
        Summary = summary;
        var order = new Dictionary<string, int>(job.Tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < job.Tasks.Count; i++) order.TryAdd(job.Tasks[i].Id, i);
        var sorted = resultsInFinishOrder.ToList();
        // Tasks added while running are not in the job: they go after, in the order they finished.
        sorted.Sort((a, b) => (order.GetValueOrDefault(a.TaskId, int.MaxValue)).CompareTo(order.GetValueOrDefault(b.TaskId, int.MaxValue)));
        Results = sorted;
        _attempts = attempts ?? new Dictionary<string, IReadOnlyList<AttemptDetails>>();
    }

    private readonly IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>> _attempts;

    public Job Job { get; }
    public RunSummary Summary { get; }
    public IReadOnlyList<TaskResult> Results { get; }

    /// <summary>The attempts of a task before its last one, first to last (empty when it ran once, or they are not known).</summary>
    public IReadOnlyList<AttemptDetails> EarlierAttempts(TaskResult result)
    {
        if (result.Attempts < 2 || !_attempts.TryGetValue(result.TaskId, out var all)) return [];
        return all.Where(a => a.Attempt < result.Attempts && a.Outcome is { } o && !o.IsSuccess()).ToList();
    }
}
