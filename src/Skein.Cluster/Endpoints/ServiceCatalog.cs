using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Endpoints;

/// <summary>Turns the member list into ListServices' answer: services by name, each with its alive hosts by node name.</summary>
internal static class ServiceCatalog
{
    public static ListServicesReply From(IReadOnlyList<Member> members)
    {
        // Members come sorted by name, so each service's hosts come out in node-name order.
        var byService = new SortedDictionary<string, ServiceListing>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            if (member.State != MemberState.Alive) continue;
            foreach (var service in member.Services)
            {
                if (!byService.TryGetValue(service.Name, out var listing))
                    byService.Add(service.Name, listing = new ServiceListing { Name = service.Name });
                listing.Hosts.Add(new ServiceHostInfo
                {
                    NodeId = member.NodeId,
                    NodeName = member.Name,
                    Address = member.CallAddress,
                    Info = service.ToWire(),
                });
            }
        }
        var reply = new ListServicesReply();
        reply.Services.AddRange(byService.Values);
        return reply;
    }
}
