namespace Skein.Engine.JobFiles;

/// <summary>
/// Bounds on what one job file may expand to. Each is checked before the work it bounds is done (the copies of a
/// factory are counted before any is made), so a small file cannot take the memory or time of a large one.
/// docs/job-files.md lists them.
/// </summary>
internal static class JobLimits
{
    /// <summary>The most tasks one factory (matrix, foreach or both) makes.</summary>
    public const int MaxCopiesPerFactory = 10_000;

    /// <summary>The most tasks a job file makes in all.</summary>
    public const int MaxTasks = Job.MaxTasks;

    /// <summary>The most keys in one matrix.</summary>
    public const int MaxMatrixKeys = 16;

    /// <summary>The most values of one matrix key.</summary>
    public const int MaxMatrixValues = 1_000;

    /// <summary>How many directories below the job file's directory a foreach glob looks.</summary>
    public const int MaxGlobDepth = 32;

    /// <summary>The most files and directories one foreach looks at.</summary>
    public const int MaxGlobEntries = 1_000_000;
}
