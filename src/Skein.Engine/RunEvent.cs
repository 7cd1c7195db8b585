namespace Skein.Engine;

/// <summary>Something that happened in a run, in the order it happened.</summary>
public abstract record RunEvent(string TaskId);

/// <summary>An attempt started (only with <see cref="RunOptions.ReportStarts"/>).</summary>
public sealed record TaskStarted(string TaskId, int Attempt, DateTimeOffset At) : RunEvent(TaskId);

/// <summary>An attempt did not pass and the task will run again.</summary>
public sealed record TaskRetrying(string TaskId, int FailedAttempt, Outcome Outcome, string? Reason) : RunEvent(TaskId);

/// <summary>A task ended; its result is final.</summary>
public sealed record TaskFinished(TaskResult Result) : RunEvent(Result.TaskId);
