namespace Skein.Modules;

/// <summary>
/// Where a node may load modules from when asked over the network: its configured directories, or anywhere if it was
/// started allowing that. (Modules named on the node's own command line are the operator's choice and always load.)
/// The same directories are where the node discovers modules to load by name (<see cref="Discovery.ModuleCatalog"/>).
/// </summary>
/// <remarks>
/// The check is made on real paths, every symbolic link resolved on both sides: a link inside an allowed directory that
/// leads out of it (to a file or to a directory) is refused. A load checks its file when it is asked for, its entry file
/// once a folder or module.yaml is resolved, and a module process again each time it (re)starts, so a file swapped for
/// a link after the load is caught at the next start.
/// </remarks>
public sealed class ModulePaths(IEnumerable<string> directories, bool allowAnyPath)
{
    private readonly string[] _directories = directories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + Path.DirectorySeparatorChar).ToArray();

    public bool AllowAnyPath { get; } = allowAnyPath;

    public IReadOnlyList<string> Directories => _directories;

    /// <summary>
    /// Refuses <paramref name="path"/> unless what it really names (after resolving "..", and every symbolic link in
    /// every component) lies in a configured directory (resolved the same way). Returns the full path as given.
    /// </summary>
    /// <exception cref="SkeinException">It lies outside; the message names the path, where it really leads, and the directories.</exception>
    public string Check(string path, string node)
    {
        var full = Path.GetFullPath(path);
        if (AllowAnyPath) return full;
        var real = RealPath.Of(full);
        // Resolved at every check, not once: a directory (or a link to one) may be replaced while the node runs.
        if (_directories.Any(d => real.StartsWith(Real(d), StringComparison.Ordinal))) return full;
        var allowed = _directories.Length == 0 ? "it has no module directories" : $"its module directories are {string.Join(", ", _directories)}";
        var leads = real == full ? "" : $", which really is {real} (a symbolic link leads out)";
        throw new SkeinException($"node {node} refuses to load {full}{leads}: {allowed} (start it with --module-dir DIR, or --allow-any-module-path)");
    }

    private static string Real(string directory) => Path.TrimEndingDirectorySeparator(RealPath.Of(directory)) + Path.DirectorySeparatorChar;
}
