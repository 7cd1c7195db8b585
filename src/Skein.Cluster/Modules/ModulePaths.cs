namespace Skein.Cluster.Modules;

/// <summary>
/// Where a node may load modules from when asked over the network: its configured directories, or anywhere if it was
/// started allowing that. (Modules named on the node's own command line are the operator's choice and always load.)
/// The same directories are where the node discovers modules to load by name (<see cref="Discovery.ModuleCatalog"/>).
/// </summary>
public sealed class ModulePaths(IEnumerable<string> directories, bool allowAnyPath)
{
    private readonly string[] _directories = directories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + Path.DirectorySeparatorChar).ToArray();

    public bool AllowAnyPath { get; } = allowAnyPath;

    public IReadOnlyList<string> Directories => _directories;

    /// <summary>Refuses <paramref name="path"/> unless it lies in a configured directory (after resolving "..").</summary>
    public string Check(string path, string node)
    {
        var full = Path.GetFullPath(path);
        if (AllowAnyPath || _directories.Any(d => full.StartsWith(d, StringComparison.Ordinal))) return full;
        var allowed = _directories.Length == 0 ? "it has no module directories" : $"its module directories are {string.Join(", ", _directories)}";
        throw new SkeinException($"node {node} refuses to load {full}: {allowed} (start it with --module-dir DIR, or --allow-any-module-path)");
    }
}
