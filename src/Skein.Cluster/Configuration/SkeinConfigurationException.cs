namespace Skein.Cluster.Configuration;

/// <summary>
/// A configuration (skein.yaml, <c>SKEIN_…__…</c> environment variables) that cannot be used. <see cref="Problems"/>
/// lists every problem found, each with where it is (file:line:column, or the variable's name), not just the first.
/// </summary>
public sealed class SkeinConfigurationException : SkeinException
{
    public SkeinConfigurationException(IReadOnlyList<ValidationProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<ValidationProblem> Problems { get; }

    private static string Describe(IReadOnlyList<ValidationProblem> problems) =>
        problems.Count == 0 ? "the configuration cannot be used" : string.Join(Environment.NewLine, problems);
}
