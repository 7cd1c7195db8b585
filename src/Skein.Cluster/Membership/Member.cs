using Skein.Cluster.Services;

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

    /// <summary>Where the node serves calls, HOST:PORT; empty when it serves none.</summary>
    public string CallAddress => Registration.CallAddress;

    /// <summary>
    /// The services the node hosts now: its registration's list, or the latest one it sent since.
    /// </summary>
    public IReadOnlyList<ServiceDescription> Services { get; init; } = [];
}
