namespace Skein.Engine.Journal;

/// <summary>One attempt of a task, as <c>skein logs</c> finds it.</summary>
public sealed record AttemptDetails
{
    /// <summary>1 for the first attempt.</summary>
    public required int Attempt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Null for an attempt still running, or cut off by an interruption.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    public TimeSpan? Duration => FinishedAt - StartedAt;
    public Outcome? Outcome { get; init; }
    public string? Reason { get; init; }
    public int? ExitCode { get; init; }
    public string? LogPath { get; init; }

    /// <summary>
    /// The node the attempt ran on, for an attempt of a cluster run read while its coordinator hosts it; null
    /// otherwise (the journal does not keep it).
    /// </summary>
    public string? Node { get; init; }
}
