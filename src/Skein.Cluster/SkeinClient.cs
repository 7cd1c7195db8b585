using Skein.Cluster.Services.Client;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster;

/// <summary>
/// A client of a Skein cluster: typed proxies for its services (<see cref="GetServiceAsync{T}(CancellationToken)"/>).
/// Calls go straight to the node hosting the service over one long-lived stream per node; the coordinator only says
/// where services are and when nodes go.
/// </summary>
public sealed class SkeinClient : IAsyncDisposable
{
    private readonly ServiceCaller _caller;
    private readonly IAsyncDisposable? _routesOwner;

    internal SkeinClient(IServiceRoutes routes, string token, SkeinClientOptions options, IAsyncDisposable? routesOwner)
    {
        options.Validate();
        _caller = new ServiceCaller(routes, token, options);
        _routesOwner = routesOwner;
    }

    /// <summary>A client of the services of one in-process <see cref="ServiceHost"/> only (no cluster): calls never leave the process.</summary>
    public static SkeinClient ForLocalServices(ServiceHost host, SkeinClientOptions? options = null)
    {
        options ??= new SkeinClientOptions();
        options.LocalServices = host;
        return new SkeinClient(new StaticRoutes([]), "", options, null);
    }

    /// <summary>
    /// A proxy for the contract <typeparamref name="T"/> (an interface marked [Service]). For a per-connection service
    /// this reserves a server object on a node; dispose the proxy to release it.
    /// </summary>
    /// <exception cref="RemoteException">No live node hosts the service, or it is at capacity.</exception>
    public Task<T> GetServiceAsync<T>(CancellationToken cancellationToken = default) where T : class =>
        _caller.GetServiceAsync<T>(null, cancellationToken);

    /// <summary>As <see cref="GetServiceAsync{T}(CancellationToken)"/>, with this proxy's own call deadline.</summary>
    public Task<T> GetServiceAsync<T>(TimeSpan callTimeout, CancellationToken cancellationToken = default) where T : class =>
        _caller.GetServiceAsync<T>(callTimeout, cancellationToken);

    /// <summary>Answers that arrived after their caller had stopped waiting (cancelled, or past the deadline); dropped.</summary>
    public long LateReplies => _caller.LateReplies;

    /// <summary>Calls a method by name with JSON arguments; yields the JSON of the result (or of each streamed item).</summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> CallJsonAsync(string service, string method, ReadOnlyMemory<byte> jsonArguments, CancellationToken cancellationToken = default) =>
        _caller.CallJsonAsync(service, method, jsonArguments, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _caller.DisposeAsync().ConfigureAwait(false);
        if (_routesOwner is not null) await _routesOwner.DisposeAsync().ConfigureAwait(false);
    }
}
