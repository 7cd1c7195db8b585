using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Endpoints;

/// <summary>Membership snapshots and changes as the Watch stream's messages.</summary>
internal static class WatchEvents
{
    public static WatchEvent Snapshot(IReadOnlyList<Member> alive)
    {
        var snapshot = new WatchSnapshot();
        foreach (var member in alive) snapshot.Nodes.Add(Node(member));
        return new WatchEvent { Snapshot = snapshot };
    }

    public static WatchEvent From(MembershipChange change) => change.Kind switch
    {
        MembershipChangeKind.Joined => new WatchEvent { NodeJoined = Node(change.Member) },
        MembershipChangeKind.ServicesChanged => new WatchEvent { ServicesChanged = Node(change.Member) },
        MembershipChangeKind.Lost => new WatchEvent { NodeLost = Gone(change) },
        MembershipChangeKind.Left => new WatchEvent { NodeLeft = Gone(change) },
        _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, null),
    };

    private static WatchedNode Node(Member member)
    {
        var node = new WatchedNode { NodeId = member.NodeId, Name = member.Name, Address = member.CallAddress };
        node.Services.AddRange(member.Services.ToWire());
        return node;
    }

    private static NodeGone Gone(MembershipChange change) =>
        new() { NodeId = change.Member.NodeId, Name = change.Member.Name, Reason = change.Reason };
}
