namespace Skein.Cluster;

/// <summary>What a node offers and where it joins; validated once by <see cref="Validate"/> at start.</summary>
public sealed class NodeOptions
{
    /// <summary>The coordinator's address, HOST:PORT or http://HOST:PORT.</summary>
    public string Join { get; set; } = "";

    /// <summary>The cluster token presented on every call.</summary>
    public string Token { get; set; } = "";

    /// <summary>Unique among the cluster's live nodes.</summary>
    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public int Cores { get; set; } = Environment.ProcessorCount;

    public long MemoryBytes { get; set; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>How long the first registration may take before the node gives up with an error.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>The longest wait between reconnection attempts after the coordinator goes away.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    public void Validate()
    {
        _ = ClusterAddress.Parse(Join);
        if (string.IsNullOrWhiteSpace(Token)) throw new SkeinException("a node needs the cluster token");
        if (string.IsNullOrWhiteSpace(Name)) throw new SkeinException("a node needs a name");
        if (Cores < 1) throw new SkeinException($"cores must be at least 1, not {Cores}");
        if (JoinTimeout <= TimeSpan.Zero) throw new SkeinException("the join timeout must be positive");
        if (MaxReconnectDelay <= TimeSpan.Zero) throw new SkeinException("the reconnect delay must be positive");
    }
}
