namespace Skein;

public enum ProblemSeverity
{
    Warning,
    Error,
}
