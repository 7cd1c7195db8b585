using System.Reflection;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Modules;

/// <summary>
/// Loads a .NET assembly into its own collectible load context and offers every public class in it that implements
/// a <see cref="ServiceAttribute"/> interface. Unloading the module unloads the context.
/// </summary>
public sealed class AssemblyModuleLoader : IModuleLoader
{
    /// <summary>
    /// The assemblies a module shares with the node rather than loading its own copy: Skein's own, whose types cross
    /// between module and node (the attributes, exceptions, clients). The framework is always shared.
    /// </summary>
    public static IReadOnlySet<string> DefaultSharedAssemblies { get; } =
        new HashSet<string>(["Skein.Abstractions", "Skein.Engine", "Skein.Cluster"], StringComparer.OrdinalIgnoreCase);

    private readonly IReadOnlySet<string> _shared;

    /// <param name="sharedAssemblies">
    /// Assembly names (without version) taken from the node's default context instead of the module's folder, added to
    /// <see cref="DefaultSharedAssemblies"/>: name a library here when the node and its modules must exchange its types.
    /// One the node cannot load comes from the module's folder after all.
    /// </param>
    public AssemblyModuleLoader(IEnumerable<string>? sharedAssemblies = null)
    {
        _shared = sharedAssemblies is null
            ? DefaultSharedAssemblies
            : new HashSet<string>(sharedAssemblies.Concat(DefaultSharedAssemblies), StringComparer.OrdinalIgnoreCase);
    }

    public string Name => ModuleFormats.Assembly;

    public bool CanLoad(string path, ReadOnlySpan<byte> firstBytes) => ModuleFormats.IsPortableExecutable(firstBytes);

    public Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<LoadedModule>(Load(request));
    }

    /// <summary>Loading an assembly is synchronous work; this is what <see cref="LoadAsync"/> does.</summary>
    /// <exception cref="SkeinException">The file is missing, is not a .NET assembly, or has no service.</exception>
    public AssemblyModule Load(ModuleLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var file = ModuleFile.Read(request.Path);
        var context = new ModuleLoadContext(request.Name, file.Path, _shared);
        try
        {
            var assembly = LoadMain(context, file.Path);
            return new AssemblyModule(request.Name, file, context, assembly, FindServices(assembly, file.Path));
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

    private static List<AssemblyModuleService> FindServices(Assembly assembly, string path)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            var reason = ex is ReflectionTypeLoadException load ? load.LoaderExceptions.FirstOrDefault()?.Message ?? ex.Message : ex.Message;
            throw new SkeinException($"cannot read the types of {path}: {reason}", ex);
        }
        var services = new List<AssemblyModuleService>();
        foreach (var type in types)
        {
            if (!type.IsClass || type.IsAbstract || type.IsGenericTypeDefinition) continue;
            foreach (var contract in type.GetInterfaces())
            {
                if (ServiceContract.IsContract(contract))
                    services.Add(new AssemblyModuleService(contract.GetCustomAttribute<ServiceAttribute>()!.Name, contract, type));
            }
        }
        if (services.Count == 0)
            throw new SkeinException($"{path} has no service: no public class implements an interface marked [Service(\"name\")]");
        return services;
    }
}
