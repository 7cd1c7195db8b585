namespace Skein.Cluster.Membership;

/// <summary>What a node tells the coordinator about itself when it registers.</summary>
public sealed record NodeRegistration(
    string Name,
    string Hostname,
    string Address,
    int Cores,
    long MemoryBytes,
    IReadOnlyDictionary<string, string> Labels,
    int ProcessId);
