namespace Skein.Cluster.Apps;

/// <summary>What reading an app file gave: the manifest when it has no errors, and every problem found.</summary>
/// <param name="Name">The app's name when it could be read, even if the file has other problems (so a catalog can still tell which app is broken).</param>
public sealed record AppManifestResult(AppManifest? Manifest, string? Name, string File, IReadOnlyList<ValidationProblem> Problems)
{
    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);
}
