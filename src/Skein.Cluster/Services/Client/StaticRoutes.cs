namespace Skein.Cluster.Services.Client;

/// <summary>A fixed set of routes, for calling known nodes directly without a coordinator (tests, benchmarks).</summary>
internal sealed class StaticRoutes(IEnumerable<(string Service, ServiceRoute Route)> routes) : IServiceRoutes
{
    private readonly ILookup<string, ServiceRoute> _routes = routes.ToLookup(r => r.Service, r => r.Route, StringComparer.Ordinal);

    public IReadOnlyList<ServiceRoute> Resolve(string service) => _routes[service].OrderBy(r => r.NodeName, StringComparer.Ordinal).ToList();

    public IReadOnlyCollection<string> KnownServices => _routes.Select(g => g.Key).ToList();

    public event Action<string, string, string>? NodeGone;

    public void Lose(string nodeId, string nodeName, string reason) => NodeGone?.Invoke(nodeId, nodeName, reason);
}
