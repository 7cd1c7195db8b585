namespace Skein.Modules;

/// <summary>
/// Turns a file into a running module: a .NET assembly, a process speaking the stdio protocol, or whatever a
/// plugged-in loader knows. Register an instance with <see cref="ModuleLoaders"/>; the node never names loaders itself.
/// </summary>
public interface IModuleLoader
{
    /// <summary>The name <c>--loader NAME</c> picks this loader by, e.g. "assembly" or "process".</summary>
    string Name { get; }

    /// <summary>
    /// Whether this loader recognises the file, from its path (an extension) and its first bytes (a magic number).
    /// Must be cheap and must not throw: every registered loader is asked in turn.
    /// </summary>
    bool CanLoad(string path, ReadOnlySpan<byte> firstBytes);

    /// <summary>
    /// Loads the module. A supervised module comes back created, not started: <see cref="LoadedModule.StartAsync"/>
    /// starts it (the service host does, once it listens to the module's state changes), and its services are hosted
    /// once it is active.
    /// </summary>
    /// <exception cref="SkeinException">The file cannot be loaded; the message names the file and why.</exception>
    Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken);
}
