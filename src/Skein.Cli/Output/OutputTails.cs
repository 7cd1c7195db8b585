namespace Skein.Cli.Output;

/// <summary>The last few lines of each running task, for the live view; what a task printed before them is in its log.</summary>
internal sealed class OutputTails : ITaskOutputView
{
    /// <summary>Lines kept (and shown) per running task.</summary>
    public const int LinesPerTask = 3;

    private readonly Dictionary<string, Queue<string>> _tails = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool ShowsFinishedTasks => false;

    public void Line(string taskId, int attempt, string text)
    {
        if (text.Length == 0) return;
        lock (_lock)
        {
            if (!_tails.TryGetValue(taskId, out var tail)) _tails[taskId] = tail = new Queue<string>(LinesPerTask + 1);
            tail.Enqueue(text);
            if (tail.Count > LinesPerTask) tail.Dequeue();
        }
    }

    public void Ended(string taskId)
    {
        lock (_lock) _tails.Remove(taskId);
    }

    /// <summary>The task's latest lines, oldest first; none when it printed nothing yet.</summary>
    public IReadOnlyList<string> Of(string taskId)
    {
        lock (_lock) return _tails.TryGetValue(taskId, out var tail) ? tail.ToArray() : [];
    }
}
