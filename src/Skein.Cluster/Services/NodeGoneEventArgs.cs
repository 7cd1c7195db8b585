namespace Skein.Cluster.Services;

/// <summary>A node left the cluster's routing view: its calls in flight will not be answered.</summary>
public sealed class NodeGoneEventArgs(string nodeId, string nodeName, bool lost, string reason) : EventArgs
{
    public string NodeId { get; } = nodeId;

    public string NodeName { get; } = nodeName;

    /// <summary>True when the node was lost (missed heartbeats, broken session, vanished across a coordinator restart); false when it left on purpose.</summary>
    public bool Lost { get; } = lost;

    public string Reason { get; } = reason;
}
