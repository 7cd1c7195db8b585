using Skein.Cluster.Membership;
using Skein.Cluster.Client;
using Skein.Cluster.Services;

namespace Skein.Cluster.Membership;

/// <summary>One node as the coordinator lists it (<see cref="ClusterClient.ListNodesAsync"/>).</summary>
public sealed record NodeDescription
{
    public required string NodeId { get; init; }

    public required string Name { get; init; }

    public string Hostname { get; init; } = "";

    /// <summary>Where the node connected from, as the coordinator saw it.</summary>
    public string Address { get; init; } = "";

    public MemberState State { get; init; }

    public int Cores { get; init; }

    /// <summary>How many cores' worth of job tasks it runs at once (<c>--slots</c>; its cores unless it said otherwise).</summary>
    public int Slots { get; init; }

    public long MemoryBytes { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset LastHeartbeat { get; init; }

    public DateTimeOffset Joined { get; init; }

    public int ProcessId { get; init; }

    /// <summary>Where the node serves calls, HOST:PORT; empty when it serves none.</summary>
    public string CallAddress { get; init; } = "";

    /// <summary>The names of the services it hosts, sorted; <see cref="ClusterClient.ListServicesAsync"/> has their details.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];
}

/// <summary>A service hosted by alive nodes, with each node's offer (<see cref="ClusterClient.ListServicesAsync"/>).</summary>
/// <param name="Hosts">The alive nodes hosting it, by node name.</param>
public sealed record ListedService(string Name, IReadOnlyList<ServiceLocation> Hosts);
