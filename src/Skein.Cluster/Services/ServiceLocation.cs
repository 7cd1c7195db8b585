using Skein.Cluster.Services;

namespace Skein.Cluster.Services;

/// <summary>One alive node's offer of one service: where to call it and how it serves.</summary>
public sealed class ServiceLocation
{
    internal ServiceLocation(string nodeId, string nodeName, string address, ServiceDescription info)
    {
        NodeId = nodeId;
        NodeName = nodeName;
        Address = address;
        Info = info;
    }

    public string NodeId { get; }

    public string NodeName { get; }

    /// <summary>Where the node serves calls, HOST:PORT.</summary>
    public string Address { get; }

    public string Service => Info.Name;

    public InstanceMode Mode => Info.Mode;

    /// <summary>The most concurrent proxies this node serves; 0 means no limit.</summary>
    public int Capacity => Info.Capacity;

    public IReadOnlyList<ServiceMethodDescription> Methods => Info.Methods;

    /// <summary>The service as the node registered it.</summary>
    public ServiceDescription Info { get; }

    public override string ToString() => $"{Service} on {NodeName} ({Address})";
}
