namespace Skein.Engine.JobFiles;

/// <summary>What reading a job file produced: the job, and every problem found on the way.</summary>
/// <param name="Job">
/// The job, built as completely as the file allows even when it has errors, so that graph validation can run
/// and report its own problems in the same pass. Null only when the file could not be read or parsed at all.
/// </param>
/// <param name="Problems">Errors and warnings, in file order, each with its file, line and column where it has one.</param>
public sealed record JobLoadResult(Job? Job, IReadOnlyList<ValidationProblem> Problems)
{
    /// <summary>True when at least one problem is an error: the job must not run.</summary>
    public bool HasErrors
    {
        get
        {
            foreach (var problem in Problems)
            {
                if (problem.Severity == ProblemSeverity.Error) return true;
            }
            return false;
        }
    }
}
