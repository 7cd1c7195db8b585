namespace Skein.Engine.Journal;

/// <summary>One task of a recorded run.</summary>
public sealed record TaskDetails
{
    public required string TaskId { get; init; }

    /// <summary>The task's position in the job; null for a task whose result was recorded without its definition.</summary>
    public int? Order { get; init; }

    public string? Group { get; init; }
    public string? DefinitionHash { get; init; }
    public required TaskProgress Progress { get; init; }

    /// <summary>Null until the task finished.</summary>
    public Outcome? Outcome { get; init; }

    public string? Reason { get; init; }
    public required int Attempts { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public TimeSpan? Duration { get; init; }
    public int? ExitCode { get; init; }

    /// <summary>The log of the last attempt.</summary>
    public string? LogPath { get; init; }

    /// <summary>True when --resume carried the result over from an earlier run.</summary>
    public required bool Reused { get; init; }

    /// <summary>For a reused result, the run in which the task really ran.</summary>
    public long? ReusedFrom { get; init; }

    public required IReadOnlyList<SubResult> SubResults { get; init; }

    /// <summary>The outputs the task set, by name (for a reused result, those carried over with it).</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = TaskOutputs.None;

    /// <summary>
    /// What the running attempt waits for before it can run (on a cluster: room on a node); null when it does not
    /// wait, or it is not known. The journal does not keep it: the coordinator hosting the run says it.
    /// </summary>
    public string? Waiting { get; init; }
    /// <summary>The artifacts the task handed on, in path order (for a reused result, those carried over with it).</summary>
    public IReadOnlyList<ArtifactFile> Artifacts { get; init; } = [];
}
