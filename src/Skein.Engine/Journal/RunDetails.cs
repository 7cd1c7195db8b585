namespace Skein.Engine.Journal;

/// <summary>One run with all its tasks, as <c>skein show</c> prints it.</summary>
public sealed record RunDetails
{
    public required JournalRunSummary Summary { get; init; }
    public string? JobFile { get; init; }
    public string? CommandLine { get; init; }

    /// <summary>The run this one resumed, when it ran with --resume.</summary>
    public long? ResumedFrom { get; init; }

    /// <summary>The machine and process that ran it.</summary>
    public required string Host { get; init; }

    public required int ProcessId { get; init; }

    /// <summary>In job order.</summary>
    public required IReadOnlyList<TaskDetails> Tasks { get; init; }
}
