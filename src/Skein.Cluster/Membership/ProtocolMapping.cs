using Google.Protobuf.WellKnownTypes;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;

namespace Skein.Cluster.Membership;

/// <summary>
/// Between the generated protocol messages (internal; the wire format) and the types the public API shows: the only
/// place that copies one into the other for nodes and services.
/// </summary>
internal static class ProtocolMapping
{
    public static ServiceInfo ToWire(this ServiceDescription service)
    {
        var info = new ServiceInfo
        {
            Name = service.Name,
            Mode = service.Mode switch
            {
                InstanceMode.Singleton => ServiceInstanceMode.Singleton,
                InstanceMode.Pooled => ServiceInstanceMode.Pooled,
                _ => ServiceInstanceMode.PerConnection,
            },
            Capacity = service.Capacity,
            Contract = service.Contract,
        };
        foreach (var method in service.Methods)
        {
            var described = new ServiceMethodInfo { Name = method.Name, Result = method.Result, Streaming = method.Streaming };
            described.Parameters.AddRange(method.Parameters);
            info.Methods.Add(described);
        }
        return info;
    }

    public static IEnumerable<ServiceInfo> ToWire(this IEnumerable<ServiceDescription> services) => services.Select(ToWire);

    public static ServiceDescription FromWire(this ServiceInfo info) => new()
    {
        Name = info.Name,
        Mode = info.Mode switch
        {
            ServiceInstanceMode.Singleton => InstanceMode.Singleton,
            ServiceInstanceMode.Pooled => InstanceMode.Pooled,
            _ => InstanceMode.PerConnection,
        },
        Capacity = info.Capacity,
        Contract = info.Contract,
        Methods = [.. info.Methods.Select(m => new ServiceMethodDescription
        {
            Name = m.Name, Parameters = [.. m.Parameters], Result = m.Result, Streaming = m.Streaming,
        })],
    };

    public static IReadOnlyList<ServiceDescription> FromWire(this IEnumerable<ServiceInfo> services) => [.. services.Select(FromWire)];

    public static NodeDescription FromWire(this NodeInfo info) => new()
    {
        NodeId = info.NodeId,
        Name = info.Name,
        Hostname = info.Hostname,
        Address = info.Address,
        State = info.State switch
        {
            NodeState.Alive => MemberState.Alive,
            NodeState.Lost => MemberState.Lost,
            _ => MemberState.Left,
        },
        Cores = info.Cores,
        Slots = info.Slots > 0 ? info.Slots : info.Cores,
        MemoryBytes = info.MemoryBytes,
        Labels = new Dictionary<string, string>(info.Labels, StringComparer.Ordinal),
        LastHeartbeat = Time(info.LastHeartbeat),
        Joined = Time(info.Joined),
        ProcessId = info.ProcessId,
        CallAddress = info.CallAddress,
        Services = [.. info.Services],
    };

    public static ListedService FromWire(this ServiceListing listing) =>
        new(listing.Name, [.. listing.Hosts.Select(h => new ServiceLocation(h.NodeId, h.NodeName, h.Address, h.Info.FromWire()))]);

    private static DateTimeOffset Time(Timestamp? timestamp) => timestamp?.ToDateTimeOffset() ?? default;
}
