namespace Skein.Engine.Journal;

/// <summary>One run, as <c>skein runs</c> lists it.</summary>
public sealed record JournalRunSummary
{
    public required long Id { get; init; }
    public required string JobName { get; init; }
    public required RunState State { get; init; }
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Null while the run is running or when it was interrupted.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public TimeSpan? Duration => EndedAt - StartedAt;

    /// <summary>Every task of the run, finished or not.</summary>
    public required int TaskCount { get; init; }

    public required OutcomeCounts Counts { get; init; }
}
