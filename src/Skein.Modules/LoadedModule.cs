using Skein.Modules.Lifecycle;

namespace Skein.Modules;

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
    /// The supervisor that runs the module and keeps it running by its restart policy; null for a module a loader hands
    /// over already running and unsupervised.
    /// </summary>
    public virtual ModuleSupervisor? Supervisor => null;

    /// <summary>
    /// Starts the module and returns once it is active. A loader returns a supervised module created but not started,
    /// so that whoever hosts it can listen to its state changes from the first one; starting twice only waits again.
    /// </summary>
    /// <exception cref="SkeinException">The module cannot start; the message names it and why.</exception>
    public virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Unloads the module. The caller must first stop hosting its services and drop every object they made; after this
    /// the module's code may no longer run. Unloading twice does nothing.
    /// </summary>
    public abstract ValueTask UnloadAsync();

    public override string ToString() => $"{Name} ({Loader}: {File.Path})";
}
