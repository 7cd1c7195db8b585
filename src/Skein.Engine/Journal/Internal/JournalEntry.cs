namespace Skein.Engine.Journal.Internal;

/// <summary>
/// One event waiting for the writer. A struct, so recording an event allocates nothing beyond the queue's segments;
/// the fields mean different things per <see cref="Kind"/>, as the factory methods spell out.
/// </summary>
internal readonly struct JournalEntry
{
    private JournalEntry(EntryKind kind, long runId, string? taskId = null, int number = 0, Outcome outcome = default,
        int? exitCode = null, long timeMs = 0, string? text = null, object? payload = null)
    {
        Kind = kind;
        RunId = runId;
        TaskId = taskId;
        Number = number;
        Outcome = outcome;
        ExitCode = exitCode;
        TimeMs = timeMs;
        Text = text;
        Payload = payload;
    }

    public EntryKind Kind { get; }
    public long RunId { get; }
    public string? TaskId { get; }

    /// <summary>The attempt number, or the <see cref="RunStatus"/> of an end-of-run entry.</summary>
    public int Number { get; }

    public Outcome Outcome { get; }
    public int? ExitCode { get; }

    /// <summary>Unix milliseconds: when the attempt started or finished, or the run ended.</summary>
    public long TimeMs { get; }

    /// <summary>The log path of a started attempt, or the reason of a finished one.</summary>
    public string? Text { get; }

    /// <summary>A <see cref="TaskResult"/>, a task list, or the request a caller is waiting on.</summary>
    public object? Payload { get; }

    public static JournalEntry BeginRun(BeginRunRequest request) => new(EntryKind.BeginRun, 0, payload: request);

    public static JournalEntry Tasks(long runId, TaskRecord[] tasks) => new(EntryKind.Tasks, runId, payload: tasks);

    public static JournalEntry AttemptStarted(long runId, string taskId, int attempt, long startedAtMs, string? logPath) =>
        new(EntryKind.AttemptStarted, runId, taskId, attempt, timeMs: startedAtMs, text: logPath);

    public static JournalEntry AttemptFinished(long runId, string taskId, int attempt, Outcome outcome, string? reason, int? exitCode, long finishedAtMs) =>
        new(EntryKind.AttemptFinished, runId, taskId, attempt, outcome, exitCode, finishedAtMs, reason);

    public static JournalEntry TaskFinished(long runId, TaskResult result) =>
        new(EntryKind.TaskFinished, runId, result.TaskId, payload: result);

    public static JournalEntry EndRun(long runId, RunStatus status, long endedAtMs, TaskCompletionSource done) =>
        new(EntryKind.EndRun, runId, number: (int)status, timeMs: endedAtMs, payload: done);

    public static JournalEntry Flush(TaskCompletionSource done) => new(EntryKind.Flush, 0, payload: done);

    public static JournalEntry FindResumePoint(ResumeQuery query) => new(EntryKind.FindResumePoint, 0, payload: query);
}
