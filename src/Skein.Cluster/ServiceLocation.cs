using Skein.Cluster.Protocol;

namespace Skein.Cluster;

/// <summary>One alive node's offer of one service: where to call it and how it serves.</summary>
public sealed class ServiceLocation
{
    internal ServiceLocation(string nodeId, string nodeName, string address, ServiceInfo info)
    {
        NodeId = nodeId;
        NodeName = nodeName;
        Address = address;
        Info = info;
        Mode = info.Mode switch
        {
            ServiceInstanceMode.Singleton => InstanceMode.Singleton,
            ServiceInstanceMode.Pooled => InstanceMode.Pooled,
            _ => InstanceMode.PerConnection,
        };
    }

    public string NodeId { get; }

    public string NodeName { get; }

    /// <summary>Where the node serves calls, HOST:PORT.</summary>
    public string Address { get; }

    public string Service => Info.Name;

    public InstanceMode Mode { get; }

    /// <summary>The most concurrent proxies this node serves; 0 means no limit.</summary>
    public int Capacity => Info.Capacity;

    public IReadOnlyList<ServiceMethodInfo> Methods => Info.Methods;

    /// <summary>The service as the node registered it; shared with the directory, so treat it as read-only.</summary>
    public ServiceInfo Info { get; }

    public override string ToString() => $"{Service} on {NodeName} ({Address})";
}
