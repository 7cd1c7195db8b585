namespace Skein;

/// <summary>The final result of one task in a run: exactly one per task.</summary>
public sealed class TaskResult
{
    public required string TaskId { get; init; }
    public required Outcome Outcome { get; init; }

    /// <summary>Why the task did not pass (or a note for passed ones, such as "reused from run 3").</summary>
    public string? Reason { get; init; }

    /// <summary>The value a C# task returned; null for commands.</summary>
    public object? Value { get; init; }

    /// <summary>How many attempts ran (0 for skipped, cancelled-before-start or reused tasks).</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public TimeSpan Duration { get; init; }
    public IReadOnlyList<SubResult> SubResults { get; init; } = [];

    /// <summary>The log file of the last attempt, when the task wrote any output.</summary>
    public string? LogPath { get; init; }

    /// <summary>The exit code of the last attempt of a command task.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The outputs the task set (its last attempt's), by name; a reused result keeps those of the run that produced it.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = NoOutputs;

    private static readonly IReadOnlyDictionary<string, string> NoOutputs = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The files the task handed on to its dependents (its <c>artifacts:</c>), in path order; a reused result keeps those of the run that produced it.</summary>
    public IReadOnlyList<ArtifactFile> Artifacts { get; init; } = [];

    /// <summary>True when the result was carried over from an earlier run by --resume instead of running again.</summary>
    public bool Reused { get; init; }

    public override string ToString() => Reason is null ? $"{TaskId}: {Outcome.ToWireName()}" : $"{TaskId}: {Outcome.ToWireName()} ({Reason})";
}
