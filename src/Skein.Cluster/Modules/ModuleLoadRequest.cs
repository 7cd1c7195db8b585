namespace Skein.Cluster.Modules;

/// <summary>
/// What to load, under which name, and optionally with which loader. One file may be loaded several times under
/// different names; each load is independent of the others.
/// </summary>
public sealed record ModuleLoadRequest
{
    /// <param name="path">The module's file.</param>
    /// <param name="name">Its name on the node; by default the file name without its extension.</param>
    /// <param name="loader">The loader to use (<c>--loader NAME</c>); by default the one that recognises the file.</param>
    public ModuleLoadRequest(string path, string? name = null, string? loader = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Name = string.IsNullOrWhiteSpace(name) ? System.IO.Path.GetFileNameWithoutExtension(Path) : name;
        Loader = string.IsNullOrWhiteSpace(loader) ? null : loader;
    }

    /// <summary>The module's file, as a full path.</summary>
    public string Path { get; }

    /// <summary>The module's name on its node.</summary>
    public string Name { get; }

    /// <summary>The loader asked for by name, or null to choose by the file's extension and first bytes.</summary>
    public string? Loader { get; }

    /// <summary>The node loading it (set by the node's service host): a module process is told it in its welcome.</summary>
    public string Node { get; init; } = "";
}
