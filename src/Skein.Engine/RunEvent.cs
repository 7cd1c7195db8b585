namespace Skein.Engine;

/// <summary>Something that happened in a run, in the order it happened.</summary>
public abstract record RunEvent(string TaskId);

/// <summary>An attempt started (only with <see cref="RunOptions.ReportStarts"/>).</summary>
public sealed record TaskStarted(string TaskId, int Attempt, DateTimeOffset At) : RunEvent(TaskId);

/// <summary>An attempt did not pass and the task will run again.</summary>
/// <remarks>Until its next attempt starts the task is waiting, not running.</remarks>
public sealed record TaskRetrying(string TaskId, int FailedAttempt, Outcome Outcome, string? Reason) : RunEvent(TaskId)
{
    /// <summary>How long the task waits before its next attempt (<see cref="TaskSpec.RetryDelay"/>, grown and jittered); zero for at once.</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>
/// A started attempt waits for room to run (on a cluster: a node that matches and has free slots), and says what for
/// (<paramref name="Reason"/>); null when it no longer waits and runs. Only with <see cref="RunOptions.ReportStarts"/>,
/// and only from executors that wait (<see cref="IAttemptReporter.ReportWaiting"/>).
/// </summary>
public sealed record TaskWaiting(string TaskId, int Attempt, string? Reason) : RunEvent(TaskId);

/// <summary>A task ended; its result is final.</summary>
public sealed record TaskFinished(TaskResult Result) : RunEvent(Result.TaskId);
