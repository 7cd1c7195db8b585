namespace Skein.Cli.Output;

/// <summary>What the run's events said so far about one task whose output is followed: its latest attempt, and whether it has finished.</summary>
internal sealed class TaskWatch(string taskId, int firstAttempt)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _latestAttempt = firstAttempt;
    private bool _finished;

    public string TaskId { get; } = taskId;

    public int FirstAttempt { get; } = firstAttempt;

    public int LatestAttempt
    {
        get { lock (_lock) return _latestAttempt; }
    }

    public bool Finished
    {
        get { lock (_lock) return _finished; }
    }

    /// <summary>Completes at the next change (an attempt started, the task finished); take it before reading the state.</summary>
    public Task Changed()
    {
        lock (_lock) return _changed.Task;
    }

    public void Started(int attempt) => Change(() => _latestAttempt = Math.Max(_latestAttempt, attempt));

    public void Finish() => Change(() => _finished = true);

    private void Change(Action change)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            change();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }
}
