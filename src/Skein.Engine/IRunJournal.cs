namespace Skein.Engine;

/// <summary>
/// Records a run while it happens, so an interrupted run can be inspected and resumed.
/// The Record* methods are called on the scheduler's hot path: they must only enqueue, never block on I/O.
/// </summary>
public interface IRunJournal : IAsyncDisposable
{
    /// <summary>Creates the run's record and returns its id.</summary>
    ValueTask<long> BeginRunAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>Tasks that belong to the run: all of them at the start, and any added while it runs.</summary>
    void RecordTasks(long runId, IReadOnlyList<TaskRecord> tasks);

    void RecordAttemptStarted(long runId, string taskId, int attempt, DateTimeOffset startedAt, string? logPath);

    void RecordAttemptFinished(long runId, string taskId, int attempt, Outcome outcome, string? reason, int? exitCode, DateTimeOffset finishedAt);

    /// <summary>The task's final result, with its sub-results.</summary>
    void RecordTaskFinished(long runId, TaskResult result);

    /// <summary>Marks the run ended and makes everything recorded so far durable.</summary>
    ValueTask EndRunAsync(long runId, RunStatus status, DateTimeOffset endedAt, CancellationToken cancellationToken);

    /// <summary>Makes everything recorded so far durable.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>What the latest run of a job left behind: the tasks that passed or warned, with their definition hashes.</summary>
    ValueTask<ResumePoint?> FindResumePointAsync(string jobName, CancellationToken cancellationToken);
}

/// <summary>How a run ended. A run left <see cref="Running"/> by a killed process reads as interrupted.</summary>
public enum RunStatus
{
    Running,
    Passed,
    Failed,
    Cancelled,
}

public sealed record RunRecord(string JobName, string? JobFile, DateTimeOffset StartedAt, long? ResumedFrom, string? CommandLine);

/// <param name="Order">The task's position in the job (file order), for stable listings.</param>
public sealed record TaskRecord(string TaskId, string DefinitionHash, string? Group, int Order);

/// <summary>A task that passed or warned in an earlier run.</summary>
public sealed record PreviousResult(string DefinitionHash, Outcome Outcome, long RunId)
{
    /// <summary>The outputs it set, which its dependents read when --resume reuses it.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = TaskOutputs.None;

    /// <summary>The artifacts it handed on, which its dependents receive when --resume reuses it.</summary>
    public IReadOnlyList<ArtifactFile> Artifacts { get; init; } = [];
}

/// <summary>The run --resume continues from, and what in it need not run again.</summary>
public sealed record ResumePoint(long RunId, IReadOnlyDictionary<string, PreviousResult> Succeeded);
