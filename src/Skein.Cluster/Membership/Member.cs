namespace Skein.Cluster.Membership;

/// <summary>A snapshot of one node as the coordinator knows it.</summary>
public sealed record Member(
    string NodeId,
    NodeRegistration Registration,
    MemberState State,
    DateTimeOffset Joined,
    DateTimeOffset LastHeartbeat)
{
    public string Name => Registration.Name;
}
