namespace Skein.Cluster.NodeControl;

/// <summary>What to load on another node through its module control (<see cref="ModuleControl.LoadAsync(RemoteModuleLoad, System.TimeSpan, System.Threading.CancellationToken)"/>).</summary>
public sealed record RemoteModuleLoad
{
    /// <summary>
    /// An absolute path on the node's machine (a module file, a module folder, or a module.yaml), or the bare name of a
    /// module in the node's module directories.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>The module's name on the node; empty for the file name without its extension.</summary>
    public string Name { get; init; } = "";

    /// <summary>The loader to use ("assembly", "process"); empty lets the file decide.</summary>
    public string Loader { get; init; } = "";

    /// <summary>The module's configuration as a JSON object; empty for none.</summary>
    public string ConfigJson { get; init; } = "";

    /// <summary>The app loading this module, if any.</summary>
    public string App { get; init; } = "";

    /// <summary>Arguments passed to the module.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
