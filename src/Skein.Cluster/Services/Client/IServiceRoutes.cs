namespace Skein.Cluster.Services.Client;

/// <summary>Where services are hosted now, and which nodes have just gone: the cluster's registry as a caller needs it.</summary>
internal interface IServiceRoutes
{
    /// <summary>The live nodes hosting <paramref name="service"/>, ordered by node name; empty when none.</summary>
    IReadOnlyList<ServiceLocation> Resolve(string service);

    /// <summary>Every service some live node hosts, for error messages.</summary>
    IReadOnlyCollection<string> Services { get; }

    /// <summary>Raised the moment a node is declared lost or leaves.</summary>
    event EventHandler<NodeGoneEventArgs>? NodeGone;
}
