namespace Skein.Cluster.Services.Client;

/// <summary>A fixed set of routes, for calling known nodes directly without a coordinator (tests, benchmarks).</summary>
internal sealed class StaticRoutes(IEnumerable<ServiceLocation> locations) : IServiceRoutes
{
    private readonly ILookup<string, ServiceLocation> _routes = locations.ToLookup(r => r.Service, StringComparer.Ordinal);

    public IReadOnlyList<ServiceLocation> Resolve(string service) => _routes[service].OrderBy(r => r.NodeName, StringComparer.Ordinal).ToList();

    public IReadOnlyCollection<string> Services => _routes.Select(g => g.Key).ToList();

    public event EventHandler<NodeGoneEventArgs>? NodeGone;

    public void Lose(string nodeId, string nodeName, string reason) => NodeGone?.Invoke(this, new NodeGoneEventArgs(nodeId, nodeName, lost: true, reason));
}
