namespace Skein.Cluster.Apps;

/// <summary>
/// The apps asked for cannot be planned: an unknown app or dependency, a name claimed by two files, a dependency cycle,
/// or an app file with errors (<see cref="Problems"/>). Found before anything starts or stops.
/// </summary>
public sealed class AppPlanException : SkeinException
{
    public AppPlanException(string message, IReadOnlyList<ValidationProblem>? problems = null, IReadOnlyList<string>? cycle = null)
        : base(message)
    {
        Problems = problems ?? [];
        Cycle = cycle;
    }

    /// <summary>The problems of app files involved, each with its file, line and column.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    /// <summary>For a cycle, the apps around it, the first repeated at the end (a, b, c, a).</summary>
    public IReadOnlyList<string>? Cycle { get; }
}
