namespace Skein.Engine.Journal.Internal;

/// <summary>
/// What one batch learned about one task's progress. A final result makes the running state it passed through
/// in the same batch irrelevant, so only one statement is written per task.
/// </summary>
internal struct TaskRow
{
    public long RunId;
    public string TaskId;
    public int LatestAttempt;
    public long? FirstStartedAtMs;
    public string? LogPath;
    public TaskResult? Final;
}
