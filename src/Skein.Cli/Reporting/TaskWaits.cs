using Skein.Engine;

namespace Skein.Cli.Reporting;

/// <summary>
/// Which running tasks wait for room before they can run (a cluster run's task that finds no node with free slots),
/// and what for, from the run's <see cref="TaskWaiting"/> events: what the progress views show instead of "running".
/// </summary>
internal sealed class TaskWaits
{
    private readonly Dictionary<string, string> _reasons = new(StringComparer.Ordinal);

    /// <summary>Takes the event into account; true when a task has just started to wait (not when its reason changed).</summary>
    public bool Apply(RunEvent e)
    {
        switch (e)
        {
            case TaskWaiting { Reason: { } reason } waiting:
                var started = !_reasons.ContainsKey(waiting.TaskId);
                _reasons[waiting.TaskId] = reason;
                return started;
            case TaskWaiting or TaskStarted or TaskRetrying or TaskFinished:
                _reasons.Remove(e.TaskId);
                return false;
            default:
                return false;
        }
    }

    /// <summary>What the task waits for, or null when it does not wait.</summary>
    public string? For(string taskId) => _reasons.GetValueOrDefault(taskId);
}
