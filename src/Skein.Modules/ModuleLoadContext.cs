using System.Reflection;
using System.Runtime.Loader;

namespace Skein.Modules;

/// <summary>
/// The collectible load context of one assembly module. Its dependencies come from the module's own folder (through
/// its .deps.json), so two modules may carry two versions of one library; the shared assemblies come from the default
/// context instead, so that the module and the node agree on one <see cref="ServiceAttribute"/> type, one
/// <see cref="Task"/> type, and so on.
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly IReadOnlySet<string> _shared;

    /// <param name="name">The context's name, as diagnostics show it (<c>module:NAME</c>).</param>
    public ModuleLoadContext(string name, string mainAssemblyPath, IReadOnlySet<string> sharedAssemblies)
        : base(name, isCollectible: true)
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _shared = sharedAssemblies;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not null && _shared.Contains(assemblyName.Name) && FromNode(assemblyName) is { } shared) return shared;
        // Null defers to the default context: the framework, which the resolver does not list for a
        // framework-dependent module, and whatever the module's folder lacks.
        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    // A shared assembly the node does not have is nothing the node could exchange with the module: its own copy will do.
    // Asked for by name alone: an assembly built against another version of Skein (a build of another commit) still
    // gets the node's copy, the one whose types the node exchanges with it; by its full name the default context
    // would refuse a version it does not have, and the module's own copy would split the types in two.
    private static Assembly? FromNode(AssemblyName assemblyName)
    {
        try
        {
            return Default.LoadFromAssemblyName(new AssemblyName(assemblyName.Name!));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
