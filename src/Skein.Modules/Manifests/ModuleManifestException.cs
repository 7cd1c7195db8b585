namespace Skein.Modules.Manifests;

/// <summary>A module.yaml that cannot be used; the message lists every problem as <c>file:line:column: error: message</c>.</summary>
public sealed class ModuleManifestException : SkeinException
{
    public ModuleManifestException(string path, IReadOnlyList<ValidationProblem> problems)
        : base(Describe(path, problems))
    {
        ManifestPath = path;
        Problems = problems;
    }

    public string ManifestPath { get; }

    public IReadOnlyList<ValidationProblem> Problems { get; }

    private static string Describe(string path, IReadOnlyList<ValidationProblem> problems)
    {
        if (problems.Count == 0) return $"{path}: error: the module manifest cannot be used";
        // A problem without a position still says which file it is about.
        return string.Join(Environment.NewLine, problems.Select(p => p.Location is null ? $"{path}: {p}" : p.ToString()));
    }
}
