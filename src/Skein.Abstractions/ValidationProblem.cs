namespace Skein;

/// <summary>One thing wrong with a job, found before anything runs.</summary>
public sealed record ValidationProblem(ProblemSeverity Severity, string Message, SourceLocation? Location = null)
{
    public static ValidationProblem Error(string message, SourceLocation? location = null) => new(ProblemSeverity.Error, message, location);
    public static ValidationProblem Warning(string message, SourceLocation? location = null) => new(ProblemSeverity.Warning, message, location);

    public override string ToString()
    {
        var kind = Severity == ProblemSeverity.Error ? "error" : "warning";
        return Location is { } at ? $"{at}: {kind}: {Message}" : $"{kind}: {Message}";
    }
}
