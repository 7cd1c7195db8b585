using System.Reflection;
using System.Runtime.Loader;

namespace Skein.Cluster.Modules;

/// <summary>
/// A .NET assembly loaded into its own collectible <see cref="AssemblyLoadContext"/>. Unloading drops every
/// reference this object holds into the module and unloads the context; the runtime frees it once nothing else
/// (a hosted object, a running call, a cached type) still points into it.
/// </summary>
public sealed class AssemblyModule : LoadedModule
{
    private AssemblyLoadContext? _context;
    private Assembly? _assembly;
    private IReadOnlyList<ModuleService> _services;

    internal AssemblyModule(string name, ModuleFile file, AssemblyLoadContext context, Assembly assembly, IReadOnlyList<AssemblyModuleService> services)
        : base(name, ModuleFormats.Assembly, file)
    {
        _context = context;
        _assembly = assembly;
        _services = services;
    }

    /// <summary>The module's main assembly; null once unloaded.</summary>
    public Assembly? Assembly => Volatile.Read(ref _assembly);

    /// <summary>The module's load context; null once unloaded.</summary>
    public AssemblyLoadContext? LoadContext => Volatile.Read(ref _context);

    public override IReadOnlyList<ModuleService> Services => Volatile.Read(ref _services);

    public override ValueTask UnloadAsync()
    {
        var context = Interlocked.Exchange(ref _context, null);
        if (context is null) return ValueTask.CompletedTask;
        Volatile.Write(ref _services, []);
        Volatile.Write(ref _assembly, null);
        context.Unload();
        return ValueTask.CompletedTask;
    }
}
