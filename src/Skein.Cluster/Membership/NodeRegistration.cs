using Skein.Cluster.Services;

namespace Skein.Cluster.Membership;

/// <summary>What a node tells the coordinator about itself when it registers.</summary>
/// <param name="Address">Where the node connected from, as the coordinator saw it.</param>
public sealed record NodeRegistration(
    string Name,
    string Hostname,
    string Address,
    int Cores,
    long MemoryBytes,
    IReadOnlyDictionary<string, string> Labels,
    int ProcessId)
{
    /// <summary>Where the node serves calls, HOST:PORT; empty when it serves none.</summary>
    public string CallAddress { get; init; } = "";

    /// <summary>The services the node hosts as it registered; they may change later (<see cref="Member.Services"/>).</summary>
    public IReadOnlyList<ServiceDescription> Services { get; init; } = [];

    /// <summary>How many cores' worth of job tasks the node runs at once; 0 (not said): its <see cref="Cores"/>.</summary>
    public int Slots { get; init; }

    /// <summary>The slots it offers: <see cref="Slots"/>, or its cores when it said none.</summary>
    public int OfferedSlots => Slots > 0 ? Slots : Math.Max(Cores, 1);
}
