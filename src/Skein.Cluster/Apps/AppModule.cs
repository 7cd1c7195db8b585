namespace Skein.Cluster.Apps;

/// <summary>One module of an app: what to load, under which name, where, with which config and arguments.</summary>
/// <param name="Name">The module's name on its node (unique there).</param>
/// <param name="Source">
/// What the node loads: a full path (<c>path:</c> in app.yaml, resolved against the app's folder) or a bare module name
/// (<c>module:</c>) that the node looks up in its module directories.
/// </param>
public sealed record AppModule(string Name, string Source)
{
    /// <summary>The node to load it on; null for the first alive node by name.</summary>
    public string? Node { get; init; }

    /// <summary>Its configuration as a JSON object, or null for none.</summary>
    public string? ConfigJson { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Where the module's entry is written in its app file.</summary>
    public SourceLocation? Location { get; init; }
}
