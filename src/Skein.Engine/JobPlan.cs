namespace Skein.Engine;

/// <summary>The result of validating a job: every problem found, and the tasks in dependency layers.</summary>
public sealed class JobPlan
{
    internal JobPlan(IReadOnlyList<ValidationProblem> problems, IReadOnlyList<IReadOnlyList<string>> layers, int taskCount)
    {
        Problems = problems;
        Layers = layers;
        TaskCount = taskCount;
    }

    /// <summary>Errors and warnings, in the order found.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    /// <summary>Layer 0 needs nothing; each later layer needs only earlier ones. Empty when the job has errors.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Layers { get; }

    /// <summary>How many tasks the run would execute (after --only).</summary>
    public int TaskCount { get; }

    public bool IsValid
    {
        get
        {
            foreach (var p in Problems)
            {
                if (p.Severity == ProblemSeverity.Error) return false;
            }
            return true;
        }
    }

    /// <summary>Throws <see cref="JobValidationException"/> listing every problem when the job has errors.</summary>
    public void ThrowIfInvalid()
    {
        if (!IsValid) throw new JobValidationException(Problems);
    }
}
