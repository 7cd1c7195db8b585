namespace Skein.Cluster.Services.Client;

/// <summary>A live node hosting a service, and where to call it.</summary>
internal sealed record ServiceRoute(string NodeId, string NodeName, string Address, InstanceMode Mode);

/// <summary>Where services are hosted now, and which nodes have just gone; the cluster's registry behind a client.</summary>
internal interface IServiceRoutes
{
    /// <summary>The live nodes hosting <paramref name="service"/>, ordered by node name; empty when none.</summary>
    IReadOnlyList<ServiceRoute> Resolve(string service);

    /// <summary>Every service some live node hosts, for error messages.</summary>
    IReadOnlyCollection<string> KnownServices { get; }

    /// <summary>Raised when a node is declared lost or leaves: (node id, node name, reason).</summary>
    event Action<string, string, string>? NodeGone;
}
