using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// One service on one node: its contract, how its objects are made, its instance mode and capacity, and the count
/// of its live server objects (what a test watches to prove that disposing proxies frees them).
/// </summary>
/// <remarks>
/// With the node's <see cref="IServiceProvider"/>, each per-connection object is made in a scope of its own (its
/// scoped dependencies are its alone) that is disposed with it; shared objects are made from the root provider.
/// </remarks>
internal sealed class HostedService
{
    private readonly Func<IServiceProvider?, object> _factory;
    private readonly IServiceProvider? _services;
    // The scope each per-connection object was made in, disposed when the object is.
    private readonly ConcurrentDictionary<object, AsyncServiceScope> _scopes = new(ReferenceEqualityComparer.Instance);
    private Lazy<object> _shared;
    private int _reservations;
    private int _liveObjects;
    private int _generation;

    /// <param name="mode">Replaces the implementation's declared instance mode (a module.yaml's <c>instance</c>); null keeps it.</param>
    /// <param name="gate">The module's gate, for a service of a supervised in-process module; null otherwise.</param>
    /// <param name="services">The provider objects are made with (and per-connection scopes made from); null for none.</param>
    public HostedService(ServiceContract contract, Type implementation, Func<IServiceProvider?, object> factory, IServiceProvider? services = null,
        InstanceMode? mode = null, ModuleGate? gate = null)
    {
        Gate = gate;
        _services = services;
        Contract = contract;
        Implementation = implementation;
        _factory = factory;
        var declared = implementation.GetCustomAttribute<ServiceInstanceAttribute>();
        Mode = mode ?? declared?.Mode ?? InstanceMode.PerConnection;
        Capacity = declared?.Capacity ?? 0;
        if (Capacity < 0) throw new SkeinException($"{implementation.FullName} declares a capacity of {Capacity}; it must be 0 (no limit) or more");
        _shared = NewShared();
    }

    /// <summary>What calls to this service pass through while its module runs; null for a service that is always there.</summary>
    public ModuleGate? Gate { get; }

    public ServiceContract Contract { get; }

    public Type Implementation { get; }

    public string Name => Contract.Name;

    public InstanceMode Mode { get; }

    public int Capacity { get; }

    public int LiveObjects => Volatile.Read(ref _liveObjects);

    public int Reservations => Volatile.Read(ref _reservations);

    /// <summary>The object singleton and pooled calls go to, made at first use.</summary>
    public object Shared => Volatile.Read(ref _shared).Value;

    /// <summary>Reserves a server object for a proxy, or returns null when the service is at its capacity.</summary>
    public object? TryReserve()
    {
        if (Capacity > 0)
        {
            var now = Interlocked.Increment(ref _reservations);
            if (now > Capacity)
            {
                Interlocked.Decrement(ref _reservations);
                return null;
            }
        }
        else
        {
            Interlocked.Increment(ref _reservations);
        }
        try
        {
            return Mode == InstanceMode.PerConnection ? Create(ownScope: true) : Shared;
        }
        catch
        {
            Interlocked.Decrement(ref _reservations);
            throw;
        }
    }

    /// <summary>Gives back a reservation; a per-connection object is disposed.</summary>
    public async ValueTask ReleaseAsync(object instance)
    {
        Interlocked.Decrement(ref _reservations);
        if (Mode == InstanceMode.PerConnection) await DestroyAsync(instance).ConfigureAwait(false);
    }

    /// <summary>A per-connection object for one call that came without a reservation (e.g. from <c>skein call</c>).</summary>
    public object CreateTransient() => Create(ownScope: true);

    public async ValueTask DestroyAsync(object instance)
    {
        Interlocked.Decrement(ref _liveObjects);
        switch (instance)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync().ConfigureAwait(false); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
        // The object goes first: its Dispose may still use what the scope gave it.
        if (_scopes.TryRemove(instance, out var scope)) await scope.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask StopAsync()
    {
        var shared = Volatile.Read(ref _shared);
        if (shared.IsValueCreated) await DestroyAsync(shared.Value).ConfigureAwait(false);
    }

    /// <summary>Counts the module's runs that ended: a per-connection object made in an earlier one is stale.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Drops the shared object (disposing it) so that the next call makes a fresh one, and makes per-connection objects
    /// reserved so far stale: a restarted module starts from new objects, as a restarted process would.
    /// </summary>
    public async ValueTask ResetSharedAsync()
    {
        Interlocked.Increment(ref _generation);
        var old = Interlocked.Exchange(ref _shared, NewShared());
        if (old.IsValueCreated) await DestroyAsync(old.Value).ConfigureAwait(false);
    }

    private Lazy<object> NewShared() => new(() => Create(ownScope: false), LazyThreadSafetyMode.ExecutionAndPublication);

    public ServiceDescription Describe() => new()
    {
        Name = Name,
        Mode = Mode,
        Capacity = Capacity,
        Contract = Contract.Type.FullName ?? Contract.Type.Name,
        Methods = [.. Contract.Methods.Values.OrderBy(m => m.WireName, StringComparer.Ordinal).Select(method => new ServiceMethodDescription
        {
            Name = method.WireName,
            Parameters = [.. method.ParameterTypes.Select(TypeNames.Short)],
            Result = method.ResultType is null ? "" : TypeNames.Short(method.ResultType),
            Streaming = method.IsStreaming,
        })],
    };

    private object Create(bool ownScope)
    {
        AsyncServiceScope? scope = ownScope && _services is { } root ? root.CreateAsyncScope() : null;
        object instance;
        try
        {
            instance = _factory(scope?.ServiceProvider ?? _services);
        }
        catch (InvalidOperationException ex) when (_services is not null)
        {
            // What the container says (a dependency nobody registered), said as this node's problem with this service.
            scope?.Dispose();
            throw new SkeinException($"cannot make a {Implementation.FullName} to serve '{Name}': {ex.Message}", ex);
        }
        catch
        {
            scope?.Dispose();
            throw;
        }
        if (scope is { } own) _scopes[instance] = own;
        Interlocked.Increment(ref _liveObjects);
        return instance;
    }
}
