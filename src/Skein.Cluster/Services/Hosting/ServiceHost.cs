using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Modules.Manifests;
using Skein.Modules.Process;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// The services one node hosts: contracts bound to implementations, each with its instance mode. The node's call
/// endpoint and in-process clients dispatch to it.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HostedService> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HostedModule> _modules = new(StringComparer.Ordinal);

    // Services answered by a module process rather than by objects in this one, by service name.
    private readonly ConcurrentDictionary<string, ProcessModuleService> _moduleServices = new(StringComparer.Ordinal);

    // Adding or removing a module changes several services at once; this keeps each change all-or-nothing.
    private readonly Lock _moduleChanges = new();

    // Makes service objects with constructor injection; null makes them with their parameterless constructors.
    private readonly IServiceProvider? _provider;

    public ServiceHost(string nodeName, ServiceHostOptions? options = null) : this(nodeName, options, services: null)
    {
    }

    /// <summary>
    /// A host whose service objects are made by <paramref name="services"/> (<see cref="ActivatorUtilities"/>), so their
    /// constructors may take what it provides: loggers, options, the node's client, the application's own registrations.
    /// Each per-connection object gets a scope of its own, disposed when the object is released.
    /// </summary>
    public ServiceHost(string nodeName, ServiceHostOptions? options, IServiceProvider? services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        NodeName = nodeName;
        _provider = services;
        Options = options ?? new ServiceHostOptions();
        if (Options.MaxMessageBytes < 1024) throw new SkeinException($"the maximum message size must be at least 1 KiB, not {Options.MaxMessageBytes} bytes");
        if (Options.LeaseTimeout <= TimeSpan.Zero) throw new SkeinException("the lease timeout must be positive");
        Options.SendQueue.Validate();
        Time = services?.GetService<TimeProvider>() ?? TimeProvider.System;
        Counters = new CallCounters(nodeName, services?.GetService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    /// <summary>How this node's call streams were served (the meter <c>Skein.Cluster.Calls</c>).</summary>
    internal CallCounters Counters { get; }

    public string NodeName { get; }

    /// <summary>The clock leases run on: the container's (a node's, a test's fake one), else the system's.</summary>
    internal TimeProvider Time { get; }

    public ServiceHostOptions Options { get; }

    /// <summary>Replies dropped because the caller's deadline had passed or it had cancelled.</summary>
    public long LateRepliesDropped => Interlocked.Read(ref _lateReplies);

    private long _lateReplies;
    private int _disposed;

    internal void CountLateReply() => Interlocked.Increment(ref _lateReplies);

    /// <summary>The methods whose handlers were seen to block before their first await.</summary>
    internal BlockingMethods Blocking { get; } = new();

    public IReadOnlyCollection<string> ServiceNames => _services.Keys.Concat(_moduleServices.Keys).Order(StringComparer.Ordinal).ToList();

    // Looked up for every envelope a client sends. Not IsEmpty, which takes every lock of an empty dictionary: a
    // count kept with the changes (under _moduleChanges) says whether a lookup is needed at all.
    internal ProcessModuleService? FindModuleService(string service) => Volatile.Read(ref _moduleServiceCount) == 0 ? null : _moduleServices.GetValueOrDefault(service);

    private int _moduleServiceCount;

    // Under _moduleChanges, after each change of _moduleServices.
    private void CountModuleServices() => Volatile.Write(ref _moduleServiceCount, _moduleServices.Count);

    /// <summary>Hosts <typeparamref name="TImplementation"/> (made with its public parameterless constructor) as <typeparamref name="TContract"/>.</summary>
    public void Add<TContract, TImplementation>() where TContract : class where TImplementation : class, TContract, new() =>
        Add(typeof(TContract), typeof(TImplementation), static _ => new TImplementation());

    /// <summary>Hosts objects made by <paramref name="factory"/>; the instance mode is read from <typeparamref name="TImplementation"/>.</summary>
    public void Add<TContract, TImplementation>(Func<TImplementation> factory) where TContract : class where TImplementation : class, TContract =>
        Add(typeof(TContract), typeof(TImplementation), _ => factory());

    public void Add(Type contract, Type implementation) => AddByType(contract, implementation);

    private HostedService AddByType(Type contract, Type implementation, InstanceMode? mode = null, ModuleGate? gate = null)
    {
        if (_provider is null)
        {
            if (implementation.IsAbstract || implementation.GetConstructor(Type.EmptyTypes) is null)
                throw new SkeinException($"{implementation.FullName} needs a public parameterless constructor to serve {contract.FullName}");
            return Add(contract, implementation, _ => Activator.CreateInstance(implementation)!, mode, gate);
        }
        if (implementation.IsAbstract || implementation.GetConstructors().Length == 0)
            throw new SkeinException($"{implementation.FullName} needs a public constructor to serve {contract.FullName}");
        // The provider given is the object's own scope for a per-connection object, the root for a shared one.
        return Add(contract, implementation, provider => ActivatorUtilities.CreateInstance(provider!, implementation), mode, gate);
    }

    private HostedService Add(Type contract, Type implementation, Func<IServiceProvider?, object> factory, InstanceMode? mode = null, ModuleGate? gate = null)
    {
        var reflected = ServiceContract.For(contract);
        if (!contract.IsAssignableFrom(implementation))
            throw new SkeinException($"{implementation.FullName} does not implement {contract.FullName}");
        var hosted = new HostedService(reflected, implementation, factory, _provider, mode, gate);
        if (!_services.TryAdd(reflected.Name, hosted))
            throw new SkeinException($"service '{reflected.Name}' is hosted twice on node {NodeName}: by {_services[reflected.Name].Implementation.FullName} and {implementation.FullName}");
        return hosted;
    }

    /// <summary>
    /// Loads a module with the loader the request names, or the one that recognises the file (see
    /// <see cref="ModuleLoaders.Choose"/>), and hosts its services. All or nothing: if one of its services cannot be
    /// hosted (a name already in use here), none is and the module is unloaded.
    /// </summary>
    /// <remarks>Holding on to the result keeps an assembly module's types alive; drop it after reading what you need.</remarks>
    /// <exception cref="SkeinException">The name is in use, or the module cannot be loaded or hosted.</exception>
    public async Task<LoadedModule> AddModuleAsync(ModuleLoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var allowed = request.AllowedPaths;
        // A module folder or its module.yaml stands for its entry file, which must really lie where the folder may.
        request = ModuleFolder.Resolve(request, Options.Loaders) with { AllowedPaths = allowed };
        if (ModuleRequestRules.Problem(request) is { } problem) throw new SkeinException($"node {NodeName} refuses to load {request.Path}: {problem}");
        RefuseTakenName(request.Name);
        var module = await Options.Loaders.LoadAsync(request with { Node = NodeName }, cancellationToken).ConfigureAwait(false);
        await StartAndHostAsync(request, module, cancellationToken).ConfigureAwait(false);
        RaiseServicesChanged();
        return module;
    }

    // Listens first, so that the module's every state change is published, from its first start on; hosts its
    // services only once it is active; and unloads it when either step fails, so nothing of it stays behind.
    private async Task StartAndHostAsync(ModuleLoadRequest request, LoadedModule module, CancellationToken cancellationToken)
    {
        Watch(module);
        try
        {
            await module.StartAsync(cancellationToken).ConfigureAwait(false);
            Host(request, module);
        }
        catch
        {
            await module.UnloadAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops module <paramref name="name"/> and unloads it: new calls to its services fail at once with "module M is
    /// stopping" while the calls already running finish (within the module's stop grace) and its stop hook runs; then
    /// its services are withdrawn, their shared objects released, and the module unloaded. Returns false when no module
    /// has that name. Not cancellable: a module is never left half unloaded. A second request waits for the first.
    /// </summary>
    /// <remarks>
    /// Per-connection objects still reserved by proxies keep an assembly module's load context alive until those
    /// proxies are disposed or their leases run out.
    /// </remarks>
    public async ValueTask<bool> RemoveModuleAsync(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var removal = BeginRemoval(name, raiseChanged: true);
        if (removal is null) return false;
        await removal.ConfigureAwait(false);
        return true;
    }

    private Task? BeginRemoval(string name, bool raiseChanged)
    {
        HostedModule? hosted;
        TaskCompletionSource started;
        lock (_moduleChanges)
        {
            if (!_modules.TryGetValue(name, out hosted)) return null;
            if (hosted.Removal is { } already) return already;
            started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hosted.Removal = started.Task;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await RemoveAsync(hosted, raiseChanged).ConfigureAwait(false);
                started.TrySetResult();
            }
            catch (Exception ex)
            {
                started.TrySetException(ex);
            }
        });
        return started.Task;
    }

    private async Task RemoveAsync(HostedModule hosted, bool raiseChanged)
    {
        var module = hosted.Module;
        if (module.Supervisor is { } supervisor)
        {
            // From here new calls fail with "module M is stopping"; the stop hook runs while running calls finish.
            var grace = supervisor.Options.StopGrace;
            var stopping = supervisor.StopAsync(grace);
            if (hosted.Gate is { } gate)
            {
                try
                {
                    await gate.WhenIdleAsync().WaitAsync(grace).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Calls still running after the grace run on; the module goes anyway, as a process module is killed.
                }
            }
            await stopping.ConfigureAwait(false);
        }
        lock (_moduleChanges)
        {
            _modules.TryRemove(KeyValuePair.Create(module.Name, hosted));
            foreach (var service in hosted.Services) _services.TryRemove(KeyValuePair.Create(service.Name, service));
            foreach (var service in module.Services.OfType<ProcessModuleService>()) _moduleServices.TryRemove(KeyValuePair.Create(service.Name, service));
            CountModuleServices();
        }
        foreach (var service in hosted.Services) await service.StopAsync().ConfigureAwait(false);
        if (raiseChanged) RaiseServicesChanged();
        await module.UnloadAsync().ConfigureAwait(false);
        JsonPayloadCodec.ForgetUnloadedTypes();
        UnloadedModuleCollector.AfterUnload(module); // an idle node would not collect the context for a long time
    }

    /// <summary>
    /// Unloads module <paramref name="name"/> and loads its file again, under the same name and with the same loader: a
    /// debugging aid for a module rebuilt in place, refused unless <see cref="ServiceHostOptions.AllowReload"/> is set.
    /// </summary>
    /// <exception cref="SkeinException">Reloading is off, no module has that name, or the file no longer loads (the module is then gone).</exception>
    public async Task<LoadedModule> ReloadModuleAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!Options.AllowReload)
            throw new SkeinException($"reloading modules is off on node {NodeName}; it is a debugging aid (ServiceHostOptions.AllowReload)");
        var request = _modules.TryGetValue(name, out var hosted)
            ? hosted.Request
            : throw new SkeinException($"no module named '{name}' is loaded on node {NodeName}");
        hosted = null; // not kept across the unload: it refers to the old module
        await RemoveModuleAsync(name).ConfigureAwait(false);
        try
        {
            return await AddModuleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (SkeinException ex)
        {
            throw new SkeinException($"module '{name}' was unloaded but could not be loaded again: {ex.Message}", ex);
        }
    }

    /// <summary>The modules this host has loaded, by name.</summary>
    public IReadOnlyList<LoadedModule> Modules => _modules.Values.Select(m => m.Module).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

    /// <summary>How module <paramref name="name"/> was asked for (its config, its app); null when no module has that name.</summary>
    public ModuleLoadRequest? RequestOf(string name) => _modules.TryGetValue(name, out var hosted) ? hosted.Request : null;

    private void RefuseTakenName(string name)
    {
        if (_modules.ContainsKey(name)) throw new SkeinException($"a module named '{name}' is already loaded on node {NodeName}; give this one another name");
    }

    private void Host(ModuleLoadRequest request, LoadedModule module)
    {
        lock (_moduleChanges)
        {
            RefuseTakenName(module.Name);
            var added = new List<HostedService>();
            var forwarded = new List<ProcessModuleService>();
            var gate = module.Supervisor is { } supervised ? new ModuleGate(supervised) : null;
            try
            {
                foreach (var service in module.Services)
                {
                    switch (service)
                    {
                        case AssemblyModuleService inProcess:
                            if (_moduleServices.ContainsKey(service.Name)) throw Taken(service.Name, module.Name);
                            added.Add(AddByType(inProcess.Contract, inProcess.Implementation, request.InstanceModes.TryGetValue(service.Name, out var mode) ? mode : null, gate));
                            break;
                        case ProcessModuleService process:
                            if (_services.ContainsKey(service.Name) || !_moduleServices.TryAdd(service.Name, process)) throw Taken(service.Name, module.Name);
                            forwarded.Add(process);
                            break;
                        default:
                            throw new SkeinException($"node {NodeName} cannot host service '{service.Name}' of module {module.Name}: no way to reach a {service.GetType().Name}");
                    }
                }
            }
            catch
            {
                foreach (var service in added) _services.TryRemove(KeyValuePair.Create(service.Name, service));
                foreach (var service in forwarded) _moduleServices.TryRemove(KeyValuePair.Create(service.Name, service));
                CountModuleServices();
                throw;
            }
            CountModuleServices();
            _modules[module.Name] = new HostedModule(request, module, added, gate);
        }
    }

    /// <summary>
    /// Raised after the hosted services changed: a module was added or removed, or a module process exited and its
    /// services were withdrawn. The node passes the new list on to the coordinator's registry.
    /// </summary>
    public event Action? ServicesChanged;

    /// <summary>
    /// Raised when a hosted module declared <c>on-failure: fail-node</c> failed for good: the node should stop. A module
    /// that fails while it is being loaded fails its load instead.
    /// </summary>
    public event EventHandler<ModuleGaveUpEventArgs>? FailNodeRequested;

    /// <summary>
    /// Events for the cluster's bus (subject, JSON payload): what module processes publish, and each module's state
    /// changes as <c>module.NAME.state</c>. The node passes them on to the coordinator.
    /// </summary>
    public event Action<string, ReadOnlyMemory<byte>>? Events;

    // Called before the module starts, so no state change goes unpublished; the same for every kind of module.
    private void Watch(LoadedModule module)
    {
        if (module is ProcessLoadedModule process) process.Published += (subject, payload) => Events?.Invoke(subject, payload);
        if (module.Supervisor is not { } supervisor) return;
        var subject = StateSubjectOf(module.Name);
        // The handlers find the module's services through the host rather than holding them: an unloaded module must
        // not keep its services' types (and so its load context) alive through its supervisor's subscribers.
        supervisor.Lifecycle.StateChanged += (_, change) =>
        {
            if (subject is not null && Events is { } events)
            {
                var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(change.ToEvent(), ModuleEventsJsonContext.Default.ModuleStateEvent);
                events(subject, payload);
            }
            // A run that ends takes its shared objects with it; the next run's first call makes fresh ones.
            if (change.From == ModuleState.Active && change.To is ModuleState.Failed or ModuleState.Stopped && HostedAs(module) is { } hosted)
            {
                if (change.To == ModuleState.Failed) hosted.Gate?.RunEnded(change.Reason ?? "crashed");
                foreach (var service in hosted.Services) _ = service.ResetSharedAsync().AsTask();
            }
        };
        supervisor.GaveUp += (_, _) =>
        {
            if (HostedAs(module) is { } hosted) Withdraw(hosted);
        };
        supervisor.FailNodeRequested += (_, gaveUp) =>
        {
            if (IsHosted(module)) FailNodeRequested?.Invoke(this, gaveUp);
        };
    }

    // A name that cannot be one subject token (one with whitespace or a wildcard, given with --name) has no state
    // events; the module runs all the same, and `skein module list` still shows its state.
    private static string? StateSubjectOf(string module)
    {
        try
        {
            return ModuleEvents.StateSubject(module);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private bool IsHosted(LoadedModule module) => HostedAs(module) is not null;

    // A module the supervisor gave up on loses its services, since nothing is left to answer them, but keeps its place:
    // `skein module list` shows it failed, with its last exit, until it is unloaded (which also frees its name).
    private void Withdraw(HostedModule hosted)
    {
        lock (_moduleChanges)
        {
            foreach (var service in hosted.Services) _services.TryRemove(KeyValuePair.Create(service.Name, service));
            foreach (var service in hosted.Module.Services.OfType<ProcessModuleService>()) _moduleServices.TryRemove(KeyValuePair.Create(service.Name, service));
            CountModuleServices();
        }
        RaiseServicesChanged();
    }

    private HostedModule? HostedAs(LoadedModule module) => _modules.TryGetValue(module.Name, out var hosted) && hosted.Module == module ? hosted : null;

    private void RaiseServicesChanged()
    {
        try
        {
            ServicesChanged?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A listener's failure must not undo the change that already happened.
        }
    }

    private SkeinException Taken(string service, string module) =>
        new($"module {module} offers service '{service}', which node {NodeName} already hosts");

    /// <summary>The services as the registry lists them.</summary>
    public IReadOnlyList<ServiceDescription> Describe() =>
        _services.Values.Select(s => s.Describe())
            .Concat(_moduleServices.Values.Select(s => ModuleServiceInfo.From(s.Description)))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>How many server objects of <paramref name="service"/> are alive on this node.</summary>
    public int LiveObjects(string service) => _services.TryGetValue(service, out var hosted) ? hosted.LiveObjects : 0;

    internal HostedService? Find(string service) => _services.GetValueOrDefault(service);

    /// <summary>Stops and unloads the modules and the services' shared objects; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // The node is going: its listeners are told nothing more.
        foreach (var name in _modules.Keys)
        {
            if (BeginRemoval(name, raiseChanged: false) is { } removal) await removal.ConfigureAwait(false);
        }
        foreach (var service in _services.Values) await service.StopAsync().ConfigureAwait(false);
        Counters.Dispose();
    }
}
