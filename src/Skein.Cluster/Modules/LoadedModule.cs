namespace Skein.Cluster.Modules;

/// <summary>
/// A module a loader has loaded: what it is (name, loader, file, digest, size), the services it offers, and how to
/// unload it. Each loader has its own subclass; the node only uses this surface.
/// </summary>
public abstract class LoadedModule
{
    protected LoadedModule(string name, string loader, ModuleFile file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(loader);
        ArgumentNullException.ThrowIfNull(file);
        Name = name;
        Loader = loader;
        File = file;
    }

    /// <summary>The module's name on its node (unique there).</summary>
    public string Name { get; }

    /// <summary>The name of the loader that loaded it.</summary>
    public string Loader { get; }

    /// <summary>The file it was loaded from, with its size and SHA-256 digest as they were when loaded.</summary>
    public ModuleFile File { get; }

    /// <summary>The services it offers; empty once unloaded.</summary>
    public abstract IReadOnlyList<ModuleService> Services { get; }

    /// <summary>
    /// Unloads the module. The caller must first stop hosting its services and drop every object they made; after this
    /// the module's code may no longer run. Unloading twice does nothing.
    /// </summary>
    public abstract ValueTask UnloadAsync();

    public override string ToString() => $"{Name} ({Loader}: {File.Path})";
}
