namespace Skein;

/// <summary>A place in a job file: 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
