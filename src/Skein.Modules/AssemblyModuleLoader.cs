using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Modules.Lifecycle;

namespace Skein.Modules;

/// <summary>
/// Loads a .NET assembly into its own collectible load context and offers every public class in it that implements
/// a <see cref="ServiceAttribute"/> interface; its <see cref="IModuleHooks"/> class, if it has one, runs as the module
/// starts and stops. Unloading the module unloads the context.
/// </summary>
public sealed class AssemblyModuleLoader : IModuleLoader
{
    /// <summary>
    /// The assemblies a module shares with the node rather than loading its own copy: Skein's own, whose types cross
    /// between module and node (the attributes, exceptions, clients). The framework is always shared.
    /// </summary>
    public static IReadOnlySet<string> DefaultSharedAssemblies { get; } =
        new HashSet<string>(["Skein.Abstractions", "Skein.Engine", "Skein.Modules", "Skein.Cluster"], StringComparer.OrdinalIgnoreCase);

    private readonly IReadOnlySet<string> _shared;
    private readonly ModuleSupervisorOptions? _supervision;
    private readonly ILogger _logger;

    /// <param name="sharedAssemblies">
    /// Assembly names (without version) taken from the node's default context instead of the module's folder, added to
    /// <see cref="DefaultSharedAssemblies"/>: name a library here when the node and its modules must exchange its types.
    /// One the node cannot load comes from the module's folder after all.
    /// </param>
    /// <param name="supervision">How modules are supervised when their load request does not say; null for the defaults.</param>
    public AssemblyModuleLoader(IEnumerable<string>? sharedAssemblies = null, ModuleSupervisorOptions? supervision = null, ILogger? logger = null)
    {
        _supervision = supervision;
        _logger = logger ?? NullLogger.Instance;
        _shared = sharedAssemblies is null
            ? DefaultSharedAssemblies
            : new HashSet<string>(sharedAssemblies.Concat(DefaultSharedAssemblies), StringComparer.OrdinalIgnoreCase);
    }

    public string Name => ModuleFormats.Assembly;

    /// <summary>
    /// A collectible load context for an assembly and the folder it runs from, resolving as a module's does: its
    /// dependencies from that folder through its .deps.json, <see cref="DefaultSharedAssemblies"/> and
    /// <paramref name="sharedAssemblies"/> from the default context (one the process cannot load comes from the folder
    /// after all), the framework always shared. What a node loads C# code shipped to it into.
    /// </summary>
    /// <param name="name">The context's name, as diagnostics show it.</param>
    /// <param name="mainAssemblyPath">The main assembly: its folder and .deps.json are where dependencies come from. Load it with <see cref="System.Runtime.Loader.AssemblyLoadContext.LoadFromAssemblyPath"/>.</param>
    public static System.Runtime.Loader.AssemblyLoadContext CreateLoadContext(string name, string mainAssemblyPath, IEnumerable<string>? sharedAssemblies = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(mainAssemblyPath);
        var shared = sharedAssemblies is null
            ? DefaultSharedAssemblies
            : new HashSet<string>(sharedAssemblies.Concat(DefaultSharedAssemblies), StringComparer.OrdinalIgnoreCase);
        return new ModuleLoadContext(name, mainAssemblyPath, shared);
    }

    public bool CanLoad(string path, ReadOnlySpan<byte> firstBytes) => ModuleFormats.IsPortableExecutable(firstBytes);

    public Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<LoadedModule>(Load(request));
    }

    /// <summary>
    /// Loading an assembly is synchronous work; this is what <see cref="LoadAsync"/> does. The module comes back created:
    /// <see cref="AssemblyModule.StartAsync"/> runs its hooks.
    /// </summary>
    /// <exception cref="SkeinException">The file is missing, is not a .NET assembly, has neither service nor hooks, or has two hooks classes.</exception>
    public AssemblyModule Load(ModuleLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var file = ModuleFile.Read(request.Path);
        var context = new ModuleLoadContext($"module:{request.Name}", file.Path, _shared);
        try
        {
            var assembly = LoadMain(context, file.Path);
            var types = ExportedTypes(assembly, file.Path);
            var services = FindServices(types);
            var hooks = FindHooks(types, file.Path);
            if (services.Count == 0 && hooks is null)
                throw new SkeinException($"{file.Path} has no service: no public class implements an interface marked [Service(\"name\")]");
            return new AssemblyModule(request, file, context, assembly, services, hooks, request.Supervision ?? _supervision, _logger);
        }
        catch
        {
            // Nothing of the module escapes a failed load, so its context can go at once.
            context.Unload();
            throw;
        }
    }

    private static Assembly LoadMain(ModuleLoadContext context, string path)
    {
        try
        {
            return context.LoadFromAssemblyPath(path);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            throw new SkeinException($"{path} is not a .NET assembly Skein can load: {ex.Message}", ex);
        }
    }

    private static Type[] ExportedTypes(Assembly assembly, string path)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            var reason = ex is ReflectionTypeLoadException load ? load.LoaderExceptions.FirstOrDefault()?.Message ?? ex.Message : ex.Message;
            throw new SkeinException($"cannot read the types of {path}: {reason}", ex);
        }
    }

    private static List<AssemblyModuleService> FindServices(Type[] types)
    {
        var services = new List<AssemblyModuleService>();
        foreach (var type in types)
        {
            if (!type.IsClass || type.IsAbstract || type.IsGenericTypeDefinition) continue;
            foreach (var contract in type.GetInterfaces())
            {
                // A contract is a [Service] interface, as the cluster's proxies see it (Services.Contracts.ServiceContract).
                if (contract.IsInterface && contract.GetCustomAttribute<ServiceAttribute>() is { } service)
                    services.Add(new AssemblyModuleService(service.Name, contract, type));
            }
        }
        return services;
    }

    // One class runs the module's lifecycle: with two, the node could not tell which one the author meant.
    private static Type? FindHooks(Type[] types, string path)
    {
        var found = new List<Type>();
        foreach (var type in types)
        {
            if (type.IsClass && !type.IsAbstract && !type.IsGenericTypeDefinition && typeof(IModuleHooks).IsAssignableFrom(type)) found.Add(type);
        }
        if (found.Count > 1)
            throw new SkeinException($"{path} has {found.Count} classes implementing IModuleHooks ({string.Join(", ", found.Select(t => t.FullName).Order(StringComparer.Ordinal))}); a module may have one");
        if (found.Count == 1 && found[0].GetConstructor(Type.EmptyTypes) is null)
            throw new SkeinException($"{found[0].FullName} in {path} implements IModuleHooks but has no public parameterless constructor");
        return found.Count == 1 ? found[0] : null;
    }
}
