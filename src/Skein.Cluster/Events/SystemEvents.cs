namespace Skein.Cluster.Events;

/// <summary>
/// Subjects the cluster itself publishes on. Subscribe to <see cref="AllNodes"/> for every node change and
/// <see cref="AllServices"/> for every service that appears on or disappears from a node.
/// </summary>
public static class SystemEvents
{
    public const string NodeJoined = "node.joined";
    public const string NodeLost = "node.lost";
    public const string NodeLeft = "node.left";

    public const string AllNodes = "node.*";

    /// <summary>A node now hosts the service: it joined with it, or added it to its list. JSON: service, node, nodeId.</summary>
    public const string ServiceAdded = "service.added";

    /// <summary>A node no longer hosts the service: it was lost, it left, or it dropped the service from its list.</summary>
    public const string ServiceRemoved = "service.removed";

    public const string AllServices = "service.*";
}
