namespace Skein.Cluster.NodeControl;

/// <summary>A module loaded on a node, as the node reports it (<see cref="ModuleControl"/>).</summary>
public sealed record ModuleInfo
{
    public required string Name { get; init; }

    /// <summary>The loader that loaded it ("assembly", "process", …).</summary>
    public string Loader { get; init; } = "";

    /// <summary>Its file on the node's machine.</summary>
    public string Path { get; init; } = "";

    public long Size { get; init; }

    public string Sha256 { get; init; } = "";

    /// <summary>The names of the services it offers.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>created, initializing, ready, active, stopping, stopped, failed; "active" for modules without a supervisor.</summary>
    public string State { get; init; } = "";

    public int Restarts { get; init; }

    /// <summary>How its process last ended; empty when it has not.</summary>
    public string LastExit { get; init; } = "";

    /// <summary>The node it is loaded on.</summary>
    public string Node { get; init; } = "";

    /// <summary>The app that loaded it; empty when loaded on its own.</summary>
    public string App { get; init; } = "";
}
