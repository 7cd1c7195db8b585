using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Cluster.Modules.Process;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// The services one node hosts: contracts bound to implementations, each with its instance mode. The node's call
/// endpoint and in-process clients dispatch to it.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HostedService> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProcessModule> _moduleServices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProcessModule> _modules = new(StringComparer.Ordinal);

    public ServiceHost(string nodeName, ServiceHostOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        NodeName = nodeName;
        Options = options ?? new ServiceHostOptions();
        if (Options.MaxMessageBytes < 1024) throw new SkeinException($"the maximum message size must be at least 1 KiB, not {Options.MaxMessageBytes} bytes");
        if (Options.LeaseTimeout <= TimeSpan.Zero) throw new SkeinException("the lease timeout must be positive");
    }

    public string NodeName { get; }

    public ServiceHostOptions Options { get; }

    /// <summary>Replies dropped because the caller's deadline had passed or it had cancelled.</summary>
    public long LateRepliesDropped => Interlocked.Read(ref _lateReplies);

    private long _lateReplies;
    private int _disposed;

    internal void CountLateReply() => Interlocked.Increment(ref _lateReplies);

    /// <summary>The methods whose handlers were seen to block before their first await.</summary>
    internal BlockingMethods Blocking { get; } = new();

    public IReadOnlyCollection<string> ServiceNames => _services.Keys.Concat(_moduleServices.Keys).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Starts a module process (a .py script through python3, or any executable) that speaks the stdio protocol and
    /// hosts the services its hello offers. Returns their names. The module is stopped with the host.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddProcessModuleAsync(string path, string? name = null, ProcessModuleOptions? options = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        name ??= Path.GetFileNameWithoutExtension(path);
        if (_modules.ContainsKey(name)) throw new SkeinException($"a module named '{name}' is already loaded on node {NodeName}");
        var module = await ProcessModule.StartAsync(path, name, NodeName, options, logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        var names = module.Services.Select(s => s.Name).ToList();
        var taken = names.FirstOrDefault(n => _services.ContainsKey(n) || _moduleServices.ContainsKey(n));
        if (taken is not null || !_modules.TryAdd(name, module))
        {
            await module.DisposeAsync().ConfigureAwait(false);
            throw new SkeinException(taken is not null
                ? $"module {name} offers service '{taken}', which node {NodeName} already hosts"
                : $"a module named '{name}' is already loaded on node {NodeName}");
        }
        foreach (var service in names) _moduleServices[service] = module;
        return names;
    }

    /// <summary>The module processes this host runs.</summary>
    public IReadOnlyCollection<ProcessModule> Modules => _modules.Values.ToList();

    internal ProcessModule? FindModule(string service) => _moduleServices.IsEmpty ? null : _moduleServices.GetValueOrDefault(service);

    /// <summary>Hosts <typeparamref name="TImplementation"/> (made with its public parameterless constructor) as <typeparamref name="TContract"/>.</summary>
    public void Add<TContract, TImplementation>() where TContract : class where TImplementation : class, TContract, new() =>
        Add(typeof(TContract), typeof(TImplementation), static () => new TImplementation());

    /// <summary>Hosts objects made by <paramref name="factory"/>; the instance mode is read from <typeparamref name="TImplementation"/>.</summary>
    public void Add<TContract, TImplementation>(Func<TImplementation> factory) where TContract : class where TImplementation : class, TContract =>
        Add(typeof(TContract), typeof(TImplementation), factory);

    public void Add(Type contract, Type implementation)
    {
        if (implementation.IsAbstract || implementation.GetConstructor(Type.EmptyTypes) is null)
            throw new SkeinException($"{implementation.FullName} needs a public parameterless constructor to serve {contract.FullName}");
        Add(contract, implementation, () => Activator.CreateInstance(implementation)!);
    }

    private void Add(Type contract, Type implementation, Func<object> factory)
    {
        var reflected = ServiceContract.For(contract);
        if (!contract.IsAssignableFrom(implementation))
            throw new SkeinException($"{implementation.FullName} does not implement {contract.FullName}");
        var hosted = new HostedService(reflected, implementation, factory);
        if (!_services.TryAdd(reflected.Name, hosted))
            throw new SkeinException($"service '{reflected.Name}' is hosted twice on node {NodeName}: by {_services[reflected.Name].Implementation.FullName} and {implementation.FullName}");
    }

    /// <summary>
    /// Loads a .NET assembly and hosts every public class in it that implements a <see cref="ServiceAttribute"/>
    /// interface. Returns the names of the services added.
    /// </summary>
    public IReadOnlyList<string> AddAssembly(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SkeinException($"module not found: {full}");
        Assembly assembly;
        try
        {
            assembly = ModuleAssemblies.Load(full);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            throw new SkeinException($"{full} is not a .NET assembly Skein can load: {ex.Message}", ex);
        }
        var added = new List<string>();
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            throw new SkeinException($"cannot read the types of {full}: {ex.LoaderExceptions.FirstOrDefault()?.Message ?? ex.Message}", ex);
        }
        foreach (var type in types.Where(t => t.IsClass && !t.IsAbstract && !t.IsGenericTypeDefinition))
        {
            foreach (var contract in type.GetInterfaces().Where(ServiceContract.IsContract))
            {
                Add(contract, type);
                added.Add(ServiceContract.For(contract).Name);
            }
        }
        if (added.Count == 0)
            throw new SkeinException($"{full} has no service: no public class implements an interface marked [Service(\"name\")]");
        return added;
    }

    /// <summary>The services as the registry lists them.</summary>
    public IReadOnlyList<ServiceInfo> Describe() =>
        _services.Values.Select(s => s.Describe())
            .Concat(_modules.Values.SelectMany(m => m.Services.Select(ModuleServiceInfo.From)))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>How many server objects of <paramref name="service"/> are alive on this node.</summary>
    public int LiveObjects(string service) => _services.TryGetValue(service, out var hosted) ? hosted.LiveObjects : 0;

    internal HostedService? Find(string service) => _services.GetValueOrDefault(service);

    /// <summary>Stops the services' shared objects and the module processes; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var service in _services.Values) await service.StopAsync().ConfigureAwait(false);
        foreach (var module in _modules.Values) await module.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Loads module assemblies so that they share Skein's own assemblies (one ServiceAttribute type for all) while
    /// their other dependencies resolve from the module's folder.
    /// </summary>
    private static class ModuleAssemblies
    {
        public static Assembly Load(string path)
        {
            var resolver = new AssemblyDependencyResolver(path);
            AssemblyLoadContext.Default.Resolving += (context, name) =>
                resolver.ResolveAssemblyToPath(name) is { } found ? context.LoadFromAssemblyPath(found) : null;
            var name = AssemblyName.GetAssemblyName(path);
            var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name));
            return loaded ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
    }
}
