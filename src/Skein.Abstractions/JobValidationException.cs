namespace Skein;

/// <summary>A job was rejected before it ran. <see cref="Problems"/> lists every problem found, not just the first.</summary>
public sealed class JobValidationException : Exception
{
    public JobValidationException(IReadOnlyList<ValidationProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<ValidationProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<ValidationProblem> problems)
    {
        var errors = 0;
        foreach (var p in problems)
        {
            if (p.Severity == ProblemSeverity.Error) errors++;
        }
        return $"The job is invalid ({errors} error{(errors == 1 ? "" : "s")}):{Environment.NewLine}  " +
               string.Join(Environment.NewLine + "  ", problems);
    }
}
