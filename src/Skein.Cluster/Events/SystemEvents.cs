namespace Skein.Cluster.Events;

/// <summary>Subjects the cluster itself publishes on. Subscribe to <see cref="AllNodes"/> for every node change.</summary>
public static class SystemEvents
{
    public const string NodeJoined = "node.joined";
    public const string NodeLost = "node.lost";
    public const string NodeLeft = "node.left";

    public const string AllNodes = "node.*";
}
