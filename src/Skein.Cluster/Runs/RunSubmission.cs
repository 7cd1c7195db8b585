namespace Skein.Cluster.Runs;

/// <summary>How a job submitted to a cluster runs: what <c>skein run</c>'s flags say, as data.</summary>
public sealed class RunSubmission
{
    /// <summary>Only these tasks and what they need; null for every task.</summary>
    public IReadOnlyCollection<string>? Only { get; init; }

    /// <summary>Reuse what passed in the latest run of this job in the coordinator's journal.</summary>
    public bool Resume { get; init; }

    /// <summary>Ungrouped tasks at once; null for the coordinator's default.</summary>
    public int? Workers { get; init; }

    /// <summary>The job file's directory, as the submitting machine sees it.</summary>
    public string? JobDirectory { get; init; }

    /// <summary>Recorded in the journal.</summary>
    public string? CommandLine { get; init; }
}
