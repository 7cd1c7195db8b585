using Skein.Modules;
using Skein.Cluster.NodeControl;

namespace Skein.Cluster.Apps;

/// <summary>
/// What <see cref="AppRunner"/> needs of a cluster: its alive nodes, their modules, and loading and unloading one. The
/// real one is <see cref="ClusterAppNodes"/> (each node's module control); tests put fakes in its place.
/// </summary>
public interface IAppNodes
{
    /// <summary>The names of the alive nodes, in name order (the first is where modules with no <c>node</c> go).</summary>
    Task<IReadOnlyList<string>> AliveNodesAsync(CancellationToken cancellationToken);

    /// <summary>The modules of every alive node, each with its <see cref="ModuleInfo.Node"/> and <see cref="ModuleInfo.App"/>.</summary>
    Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(CancellationToken cancellationToken);

    /// <summary>Loads a module on <paramref name="node"/>, returning once it is active; a refusal or failure throws <see cref="SkeinException"/>.</summary>
    Task<ModuleInfo> LoadAsync(string node, RemoteModuleLoad request, CancellationToken cancellationToken);

    /// <summary>Unloads module <paramref name="module"/> from <paramref name="node"/>.</summary>
    Task UnloadAsync(string node, string module, CancellationToken cancellationToken);
}
